import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  getLocalCryptographicMaterialsCache,
  type KeyringNode,
  KmsKeyringNode,
  type NodeAlgorithmSuite,
  NodeCachingMaterialsManager,
  type NodeMaterialsManager,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
} from "@aws-crypto/client-node";

/**
 * Field-level encryption of passengers' personal data and contact details with the AWS
 * Encryption SDK. Every value is bound to an encryption context (tenant, order, …) that the
 * SDK authenticates; decrypt checks the context it is given against the message's, so a row
 * copied onto another tenant's or order's item cannot be read there.
 */
export interface FieldCipher {
  /** Encrypts a JSON value; the result is a base64 string safe to store in a DynamoDB attribute. */
  encrypt(value: unknown, context: Record<string, string>): Promise<string>;
  /** Decrypts what encrypt produced; fails if the ciphertext or its encryption context (e.g. tenant/order ids) do not match. */
  decrypt<T>(ciphertext: string, context: Record<string, string>): Promise<T>;
}

const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

const KEY_BYTES = 32;
const LOCAL_KEY_NAME = "aviaframe-local-pii";
const LOCAL_KEY_NAMESPACE = "aviaframe";
/** Data keys are reused for at most this long, and for at most CACHE_MAX_MESSAGES messages. */
const CACHE_MAX_AGE_MS = 5 * 60 * 1000;
const CACHE_MAX_MESSAGES = 1000;
/** Entries are keyed by encryption context, so this bounds how many tenants/orders are warm at once. */
const CACHE_CAPACITY = 500;
/** Canonical, padded base64 (Buffer.from would silently skip stray characters). */
const BASE64 =
  /^(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$|^(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)$/;
/** Key ARNs only: an alias would encrypt, but the message records the key ARN and strict decrypt would then refuse it. */
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

const assertContext = (context: Record<string, string>): void => {
  if (Object.keys(context).length === 0) {
    throw new Error("field cipher: an encryption context (e.g. tenant and order ids) is required");
  }
};

const cipherWith = (materials: KeyringNode | NodeMaterialsManager): FieldCipher => ({
  encrypt: async (value, context) => {
    assertContext(context);
    const json: string | undefined = JSON.stringify(value);
    if (json === undefined) throw new Error("field cipher: value is not JSON-serializable");
    const plaintext = Buffer.from(json, "utf8");
    try {
      // Committing AES-GCM without the ECDSA signature: only our own functions, which may
      // decrypt anyway, can encrypt; the signature would cost ~4 ms a field and prove nothing more.
      const { result } = await encrypt(materials, plaintext, {
        encryptionContext: context,
        suiteId: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY,
      });
      return result.toString("base64");
    } finally {
      plaintext.fill(0);
    }
  },

  decrypt: async <T>(ciphertext: string, context: Record<string, string>): Promise<T> => {
    assertContext(context);
    if (!BASE64.test(ciphertext)) throw new Error("field cipher: ciphertext is not base64");
    const { plaintext, messageHeader } = await decrypt(materials, Buffer.from(ciphertext, "base64"));
    try {
      const stored = messageHeader.encryptionContext;
      for (const [key, expected] of Object.entries(context)) {
        if (!Object.hasOwn(stored, key) || stored[key] !== expected) {
          throw new Error(`field cipher: encryption context mismatch on "${key}"`);
        }
      }
      return JSON.parse(plaintext.toString("utf8")) as T;
    } finally {
      plaintext.fill(0);
    }
  },
});

/**
 * AWS: data keys generated under the KMS key, cached in memory so that the several fields of one
 * order (same context) and repeated reads of it share one KMS call. Note the cache is keyed by
 * the encryption context: a new context (a new order) still costs one GenerateDataKey.
 */
export const kmsFieldCipher = (keyArn: string): FieldCipher => {
  if (!KMS_KEY_ARN.test(keyArn)) throw new Error(`field cipher: ${keyArn} is not a KMS key ARN`);
  const keyring = new KmsKeyringNode({ generatorKeyId: keyArn });
  const cmm = new NodeCachingMaterialsManager({
    backingMaterials: keyring,
    cache: getLocalCryptographicMaterialsCache<NodeAlgorithmSuite>(CACHE_CAPACITY),
    maxAge: CACHE_MAX_AGE_MS,
    maxMessagesEncrypted: CACHE_MAX_MESSAGES,
  });
  return cipherWith(cmm);
};

/** Local development and tests: a raw AES-256 key wraps the data keys, no AWS involved. */
export const rawAesFieldCipher = (key: Uint8Array): FieldCipher => {
  if (key.byteLength !== KEY_BYTES) throw new Error(`field cipher: a raw AES key must be ${KEY_BYTES} bytes`);
  return cipherWith(
    new RawAesKeyringNode({
      keyName: LOCAL_KEY_NAME,
      keyNamespace: LOCAL_KEY_NAMESPACE,
      // The keyring keeps its own copy, so the caller's buffer may be reused or zeroed.
      unencryptedMasterKey: new Uint8Array(key),
      wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    }),
  );
};

const isErrno = (error: unknown, code: string): boolean =>
  error instanceof Error && (error as NodeJS.ErrnoException).code === code;

const readKeyFile = (file: string): Uint8Array => {
  const bytes = readFileSync(file);
  if (bytes.byteLength !== KEY_BYTES) {
    throw new Error(`field cipher: ${file} holds ${bytes.byteLength} bytes, expected a ${KEY_BYTES}-byte key`);
  }
  return new Uint8Array(bytes);
};

/**
 * Reads a 32-byte key file, or creates one (random, mode 0o600) when missing. Creation writes a
 * temporary file and hard-links it into place, so a concurrent process never sees a partial key
 * and two processes racing end up with the same one.
 */
export const loadOrCreateLocalKey = (file: string): Uint8Array => {
  try {
    return readKeyFile(file);
  } catch (error) {
    if (!isErrno(error, "ENOENT")) throw error;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(KEY_BYTES);
  const temp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const fd = openSync(temp, "wx", 0o600);
  try {
    writeSync(fd, key);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, file);
    return new Uint8Array(key);
  } catch (error) {
    if (!isErrno(error, "EEXIST")) throw error;
    return readKeyFile(file);
  } finally {
    unlinkSync(temp);
    key.fill(0);
  }
};

let fromEnv: FieldCipher | undefined;

/** PII_KMS_KEY_ARN → KMS; else LOCAL_PII_KEY_FILE → raw AES from that file. Built once per process. */
export const fieldCipherFromEnv = (): FieldCipher => {
  if (fromEnv !== undefined) return fromEnv;
  const keyArn = process.env.PII_KMS_KEY_ARN;
  const keyFile = process.env.LOCAL_PII_KEY_FILE;
  if (keyArn !== undefined && keyArn !== "") {
    fromEnv = kmsFieldCipher(keyArn);
  } else if (keyFile !== undefined && keyFile !== "") {
    const key = loadOrCreateLocalKey(keyFile);
    try {
      fromEnv = rawAesFieldCipher(key);
    } finally {
      key.fill(0);
    }
  } else {
    throw new Error(
      "field cipher: no key configured; set PII_KMS_KEY_ARN (AWS) or LOCAL_PII_KEY_FILE (local development)",
    );
  }
  return fromEnv;
};
