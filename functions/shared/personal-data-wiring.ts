/** The composition root of the data-subject routes (export, erase, search) and the retention job. */
import { dynamoPersonalDataAudit } from "../adapters/dynamodb/audit-trail";
import { DynamoOrderRepository, readOrderSummary } from "../adapters/dynamodb/order-repository";
import { hmacEmailIndex } from "../adapters/pii/email-index";
import type { FieldCipher } from "../adapters/pii/field-cipher";
import { readSecret } from "../adapters/secrets/secret-store";
import type { PersonalDataDeps, SearchDeps } from "../use-cases/personal-data";
import { once } from "./wiring";

/** The blind index's key, read at most every few minutes (Secrets Manager, or DATA_DIR/secrets locally). */
export const emailIndex = /* @__PURE__ */ once(() => hmacEmailIndex(() => readSecret("piiIndexKey")));

/** A cipher that refuses: for functions that erase or search ciphertext but must never read it. */
const noCipher: FieldCipher = {
  encrypt: () => Promise.reject(new Error("this function has no business encrypting personal data")),
  decrypt: () => Promise.reject(new Error("this function has no business decrypting personal data")),
};

const audit = /* @__PURE__ */ once(dynamoPersonalDataAudit);

/** Erase: reads the order's summary, removes its ciphertext; never decrypts. */
export const eraseDeps = /* @__PURE__ */ once(
  (): PersonalDataDeps => ({
    orders: {
      summary: readOrderSummary,
      get: () => Promise.reject(new Error("the erase never reads personal data")),
    },
    store: new DynamoOrderRepository(noCipher),
    audit: audit(),
    now: () => new Date(),
  }),
);

export const searchDeps = /* @__PURE__ */ once(
  (): SearchDeps => ({
    index: emailIndex(),
    store: new DynamoOrderRepository(noCipher),
    audit: audit(),
    now: () => new Date(),
  }),
);

export const personalDataAudit = audit;

export const retentionDeps = /* @__PURE__ */ once(() => ({
  store: new DynamoOrderRepository(noCipher),
  audit: audit(),
  now: () => new Date(),
}));
