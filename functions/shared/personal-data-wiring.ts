/** The composition root of the data-subject routes (export, erase, search) and the retention job. */
import { dynamoPersonalDataAudit } from "../adapters/dynamodb/audit-trail";
import { readOrderSummary } from "../adapters/dynamodb/order-repository";
import { dynamoPersonalDataStore } from "../adapters/dynamodb/personal-data-store";
import { hmacEmailIndex } from "../adapters/pii/email-index";
import { readSecret } from "../adapters/secrets/secret-store";
import type { PersonalDataDeps, RetentionDeps, SearchDeps } from "../use-cases/personal-data";
import { once } from "./wiring";

/** The blind index's key, read at most every few minutes (Secrets Manager, or DATA_DIR/secrets locally). */
export const emailIndex = /* @__PURE__ */ once(() => hmacEmailIndex(() => readSecret("piiIndexKey")));

export const personalDataStore = /* @__PURE__ */ once(dynamoPersonalDataStore);
export const personalDataAudit = /* @__PURE__ */ once(dynamoPersonalDataAudit);

/** Erase: reads the order's summary, removes its ciphertext; never decrypts (no PII key). */
export const eraseDeps = /* @__PURE__ */ once(
  (): PersonalDataDeps => ({
    orders: {
      summary: readOrderSummary,
      get: () => Promise.reject(new Error("the erase never reads personal data")),
    },
    store: personalDataStore(),
    audit: personalDataAudit(),
    now: () => new Date(),
  }),
);

export const searchDeps = /* @__PURE__ */ once(
  (): SearchDeps => ({
    index: emailIndex(),
    store: personalDataStore(),
    audit: personalDataAudit(),
    now: () => new Date(),
  }),
);

export const retentionDeps = /* @__PURE__ */ once(
  (): Omit<RetentionDeps, "retentionDays"> => ({
    store: personalDataStore(),
    audit: personalDataAudit(),
    now: () => new Date(),
  }),
);
