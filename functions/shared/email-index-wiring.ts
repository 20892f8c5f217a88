/**
 * The composition root of the contact email's blind index: order create stores it, the
 * data-subject search looks orders up by it. Its key is a secret, loaded only where it is used.
 */
import { hmacEmailIndex } from "../adapters/pii/email-index";
import { readSecret } from "../adapters/secrets/secret-store";
import type { SearchDeps } from "../use-cases/personal-data";
import { once } from "./once";
import { personalDataAudit, personalDataStore } from "./personal-data-wiring";

/** The blind index's key, read at most every few minutes (Secrets Manager, or DATA_DIR/secrets locally). */
export const emailIndex = /* @__PURE__ */ once(() => hmacEmailIndex(() => readSecret("piiIndexKey")));

export const searchDeps = /* @__PURE__ */ once(
  (): SearchDeps => ({
    index: emailIndex(),
    store: personalDataStore(),
    audit: personalDataAudit(),
    now: () => new Date(),
  }),
);
