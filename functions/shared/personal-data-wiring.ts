/**
 * The composition root of the data-subject routes (export, erase) and the retention job; the
 * search by email, which needs the blind index's key, is email-index-wiring.ts.
 */
import { dynamoPersonalDataAudit } from "../adapters/dynamodb/audit-trail";
import { readOrderSummary } from "../adapters/dynamodb/order-repository";
import { dynamoPersonalDataStore } from "../adapters/dynamodb/personal-data-store";
import type { PersonalDataDeps, RetentionDeps } from "../use-cases/personal-data";
import { once } from "./once";

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

export const retentionDeps = /* @__PURE__ */ once(
  (): Omit<RetentionDeps, "retentionDays"> => ({
    store: personalDataStore(),
    audit: personalDataAudit(),
    now: () => new Date(),
  }),
);
