import { createHmac } from "node:crypto";
import { normalizeEmail } from "../../domain/personal-data";
import type { EmailIndex } from "../../use-cases/ports";

/**
 * HMAC-SHA256 of tenant and normalized email under a secret key (Secrets Manager in AWS,
 * DATA_DIR/secrets locally): equal for the same mailbox within a tenant, useless without
 * the key, and different between tenants, so a search never finds another tenant's order.
 */
export const hmacEmailIndex = (key: () => Promise<string>): EmailIndex => ({
  indexOf: async (tenantId, email) =>
    createHmac("sha256", await key())
      .update(`${tenantId}\u0000${normalizeEmail(email)}`)
      .digest("base64url"),
});
