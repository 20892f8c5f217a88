import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DecryptCommand, GenerateDataKeyCommand, type KMSClient } from "@aws-sdk/client-kms";
import { afterAll, afterEach, describe, expect, test, vi } from "vitest";
import {
  kmsFieldCipher,
  loadOrCreateLocalKey,
  localDataKeys,
  rawAesFieldCipher,
} from "../../functions/adapters/pii/field-cipher";

interface Passenger {
  given_name: string;
  family_name: string;
  birth_date: string;
  documents: { type: string; number: string; expires_on: string; nationality: string }[];
}

interface Booking {
  passengers: Passenger[];
  contact: { email: string; phone: string };
  notes: null;
  seats: number;
}

const booking: Booking = {
  passengers: [
    {
      given_name: "Zoë",
      family_name: "Łukasiewicz-Ñúñez",
      birth_date: "1987-03-14",
      documents: [{ type: "passport", number: "X9K2Q7731", expires_on: "2031-05-01", nationality: "PL" }],
    },
    {
      given_name: "Мирослава",
      family_name: "渡辺",
      birth_date: "2016-11-02",
      documents: [
        { type: "passport", number: "JP44817265", expires_on: "2029-01-31", nationality: "JP" },
        { type: "id_card", number: "UA-5530192", expires_on: "2030-08-15", nationality: "UA" },
      ],
    },
  ],
  contact: { email: "zoe.lukasiewicz@example.com", phone: "+48 601 234 567" },
  notes: null,
  seats: 2,
};

const context = { tenant_id: "t-acme", order_id: "ord-01HZX3" };

/** Every string value in the booking, so none of them may show up in a ciphertext. */
const plaintextValues = (value: unknown): string[] => {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(plaintextValues);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(plaintextValues);
  return [];
};

const cipher = rawAesFieldCipher(randomBytes(32));

/** Flips one bit of the decoded message at the given offset from its end. */
const tamper = (ciphertext: string, fromEnd: number): string => {
  const bytes = Buffer.from(ciphertext, "base64");
  const index = bytes.length - fromEnd;
  bytes.writeUInt8((bytes.readUInt8(index) ^ 0x01) & 0xff, index);
  return bytes.toString("base64");
};

describe("raw AES field cipher", () => {
  test("round-trips nested JSON with unicode names", async () => {
    const ciphertext = await cipher.encrypt(booking, context);
    await expect(cipher.decrypt<Booking>(ciphertext, context)).resolves.toEqual(booking);
  });

  test("round-trips scalars", async () => {
    for (const value of ["", "Ünïcødé ✈", 0, -1.5, true, false, null, [], {}]) {
      await expect(cipher.decrypt<unknown>(await cipher.encrypt(value, context), context)).resolves.toEqual(value);
    }
  });

  test("stays correct over many encrypt/decrypt round trips", async () => {
    for (let i = 0; i < 200; i++) {
      const value = { i, email: `p${i}@example.com` };
      expect(await cipher.decrypt<typeof value>(await cipher.encrypt(value, context), context)).toEqual(value);
    }
  });

  test("the ciphertext is base64 and reveals no plaintext value", async () => {
    const ciphertext = await cipher.encrypt(booking, context);
    expect(ciphertext).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    const decoded = Buffer.from(ciphertext, "base64");
    expect(decoded.toString("base64")).toBe(ciphertext);
    const asText = decoded.toString("utf8");
    // Two-letter codes (e.g. "PL") occur by chance in any ~1 KB of random bytes; 4+ characters do not.
    const values = plaintextValues(booking).filter((value) => value.length >= 4);
    expect(values.length).toBeGreaterThan(10);
    for (const value of values) {
      expect(ciphertext).not.toContain(value);
      expect(asText).not.toContain(value);
    }
    expect(ciphertext).not.toContain(Buffer.from(JSON.stringify(booking)).toString("base64").slice(0, 40));
  });

  test("two encryptions of the same value differ", async () => {
    const first = await cipher.encrypt(booking, context);
    const second = await cipher.encrypt(booking, context);
    expect(first).not.toBe(second);
  });

  test("decrypting under another tenant or order fails", async () => {
    const ciphertext = await cipher.encrypt(booking, context);
    for (const other of [
      { ...context, order_id: "ord-OTHER" },
      { ...context, tenant_id: "t-evil" },
      { ...context, field: "passengers" },
      { tenant_id: context.tenant_id },
    ]) {
      await expect(cipher.decrypt<Booking>(ciphertext, other)).rejects.toThrow(/encryption context/);
    }
    // The order of the context's entries does not matter.
    await expect(
      cipher.decrypt<Booking>(ciphertext, { order_id: context.order_id, tenant_id: context.tenant_id }),
    ).resolves.toEqual(booking);
  });

  test("a field moved under another data key of the same context fails its key commitment", async () => {
    // Two data keys for one context (another environment's cache): each field keeps its own.
    const wrapping = randomBytes(32);
    const [first, second] = [rawAesFieldCipher(wrapping), rawAesFieldCipher(wrapping)];
    const a = Buffer.from(await first.encrypt("a", context), "base64");
    const b = Buffer.from(await second.encrypt("b", context), "base64");
    const wrappedEnd = 3 + a.readUInt16BE(1);
    // a's body and commitment with b's wrapped key: the commitment no longer matches.
    const spliced = Buffer.concat([b.subarray(0, wrappedEnd), a.subarray(wrappedEnd)]).toString("base64");
    await expect(first.decrypt(spliced, context)).rejects.toThrow(/commitment/);
    await expect(first.decrypt(b.toString("base64"), context)).resolves.toBe("b");
  });

  test("an empty context is refused on both sides", async () => {
    await expect(cipher.encrypt(booking, {})).rejects.toThrow(/encryption context/);
    const ciphertext = await cipher.encrypt(booking, context);
    await expect(cipher.decrypt<Booking>(ciphertext, {})).rejects.toThrow(/encryption context/);
  });

  test("decrypting with another key fails", async () => {
    const ciphertext = await cipher.encrypt(booking, context);
    const other = rawAesFieldCipher(randomBytes(32));
    await expect(other.decrypt<Booking>(ciphertext, context)).rejects.toThrow();
  });

  test("tampered ciphertext fails", async () => {
    const ciphertext = await cipher.encrypt(booking, context);
    const length = Buffer.from(ciphertext, "base64").length;
    // Near the end (signature), in the body, and in the header.
    for (const fromEnd of [1, 120, Math.floor(length / 2), length - 30]) {
      await expect(cipher.decrypt<Booking>(tamper(ciphertext, fromEnd), context)).rejects.toThrow();
    }
    await expect(cipher.decrypt<Booking>(ciphertext.slice(0, -8), context)).rejects.toThrow();
    await expect(cipher.decrypt<Booking>(`${ciphertext}!`, context)).rejects.toThrow(/base64/);
    await expect(cipher.decrypt<Booking>("", context)).rejects.toThrow(/base64/);
  });

  test("a field read before (its keys kept warm) still fails every check when tampered", async () => {
    const ciphertext = await cipher.encrypt(booking, context);
    await expect(cipher.decrypt<Booking>(ciphertext, context)).resolves.toEqual(booking);
    const bytes = Buffer.from(ciphertext, "base64");
    const commitmentAt = 3 + bytes.readUInt16BE(1) + 32;
    // Same wrapped key and salt (the warm entry), another commitment; then another body.
    await expect(cipher.decrypt<Booking>(tamper(ciphertext, bytes.length - commitmentAt - 1), context)).rejects.toThrow(
      /commitment/,
    );
    await expect(cipher.decrypt<Booking>(tamper(ciphertext, 1), context)).rejects.toThrow(/authentication/);
    await expect(cipher.decrypt<Booking>(ciphertext, { ...context, order_id: "ord_other" })).rejects.toThrow(
      /encryption context/,
    );
    await expect(cipher.decrypt<Booking>(ciphertext, context)).resolves.toEqual(booking);
  });

  test("refuses values that are not JSON", async () => {
    await expect(cipher.encrypt(undefined, context)).rejects.toThrow(/JSON/);
  });

  test("refuses a key of the wrong size", () => {
    expect(() => rawAesFieldCipher(randomBytes(16))).toThrow(/32 bytes/);
  });
});

describe("KMS field cipher", () => {
  const KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  /** KMS as far as the cipher uses it: data keys sealed under a key only it holds, bound to their context. */
  const fakeKms = () => {
    const local = localDataKeys(randomBytes(32));
    const calls: { name: string; input: { KeyId?: string; EncryptionContext?: Record<string, string> } }[] = [];
    const client = {
      send: async (command: GenerateDataKeyCommand | DecryptCommand) => {
        const input = command.input;
        calls.push({ name: command.constructor.name, input });
        const context = input.EncryptionContext ?? {};
        if (command instanceof GenerateDataKeyCommand) {
          const key = await local.generate(context);
          return { Plaintext: key.plaintext, CiphertextBlob: key.wrapped, KeyId: input.KeyId };
        }
        const blob = (command as DecryptCommand).input.CiphertextBlob ?? new Uint8Array();
        return { Plaintext: await local.unwrap(blob, context), KeyId: input.KeyId };
      },
    } as unknown as KMSClient;
    return { client, calls };
  };

  test("data keys come from KMS under the key and the field's context, once per context while cached", async () => {
    const kms = fakeKms();
    const fields = kmsFieldCipher(KEY_ARN, () => kms.client);
    const passengers = await fields.encrypt(booking.passengers, context);
    const contact = await fields.encrypt(booking.contact, context);
    await fields.encrypt("other order", { ...context, order_id: "ord-2" });
    expect(kms.calls.map((call) => call.name)).toEqual(["GenerateDataKeyCommand", "GenerateDataKeyCommand"]);
    expect(kms.calls[0]?.input).toMatchObject({ KeyId: KEY_ARN, EncryptionContext: context });

    // Another environment: KMS unwraps each data key once, under the same context.
    const reader = kmsFieldCipher(KEY_ARN, () => kms.client);
    await expect(reader.decrypt(passengers, context)).resolves.toEqual(booking.passengers);
    await expect(reader.decrypt(contact, context)).resolves.toEqual(booking.contact);
    expect(kms.calls.slice(2).map((call) => [call.name, call.input.EncryptionContext])).toEqual([
      ["DecryptCommand", context],
    ]);
    await expect(reader.decrypt(passengers, { ...context, tenant_id: "t-evil" })).rejects.toThrow(/encryption context/);
  });

  test("accepts a key ARN and refuses an alias (checked without calling KMS)", () => {
    expect(() =>
      kmsFieldCipher("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
    ).not.toThrow();
    expect(() => kmsFieldCipher("arn:aws:kms:eu-west-1:123456789012:alias/pii")).toThrow(/not a KMS key ARN/);
  });
});

describe("local key file", () => {
  const dir = mkdtempSync(join(tmpdir(), "aviaframe-pii-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("is created once (32 bytes, 0o600, parent created) and read back the same", () => {
    const file = join(dir, "nested", "keys", "pii.key");
    const created = loadOrCreateLocalKey(file);
    expect(created.byteLength).toBe(32);
    const stat = statSync(file);
    expect(stat.size).toBe(32);
    expect(stat.mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file)).equals(Buffer.from(created))).toBe(true);
    const again = loadOrCreateLocalKey(file);
    expect(Buffer.from(again).equals(Buffer.from(created))).toBe(true);
    expect(statSync(file).mtimeMs).toBe(stat.mtimeMs);
  });

  test("a file of the wrong size is refused, not overwritten", () => {
    const file = join(dir, "short.key");
    writeFileSync(file, randomBytes(16), { mode: 0o600 });
    expect(() => loadOrCreateLocalKey(file)).toThrow(/16 bytes, expected a 32-byte key/);
    expect(statSync(file).size).toBe(16);
  });
});

describe("cipher from the environment", () => {
  const dir = mkdtempSync(join(tmpdir(), "aviaframe-pii-env-"));
  // The cipher is built once per module instance (per Lambda environment): each test gets a fresh one.
  const freshFieldCipherFromEnv = async () => {
    vi.resetModules();
    return (await import("../../functions/adapters/pii/field-cipher")).fieldCipherFromEnv;
  };
  afterEach(() => vi.unstubAllEnvs());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("fails clearly when no key is configured", async () => {
    vi.stubEnv("PII_KMS_KEY_ARN", undefined);
    vi.stubEnv("LOCAL_PII_KEY_FILE", "");
    const fromEnvironment = await freshFieldCipherFromEnv();
    expect(() => fromEnvironment()).toThrow(/PII_KMS_KEY_ARN.*LOCAL_PII_KEY_FILE/);
  });

  test("uses the local key file and builds the cipher once", async () => {
    vi.stubEnv("PII_KMS_KEY_ARN", undefined);
    const file = join(dir, "pii.key");
    vi.stubEnv("LOCAL_PII_KEY_FILE", file);
    const fromEnvironment = await freshFieldCipherFromEnv();
    const fromEnv = fromEnvironment();
    expect(fromEnvironment()).toBe(fromEnv);
    const ciphertext = await fromEnv.encrypt(booking, context);
    const sameKey = rawAesFieldCipher(loadOrCreateLocalKey(file));
    await expect(sameKey.decrypt<Booking>(ciphertext, context)).resolves.toEqual(booking);
  });
});
