import type { Markup } from "./offer";

export type Plan = "standard" | "premium";

/**
 * What a tenant id may be: lowercase letters, digits and hyphens, 1–40 of them. Ids go into
 * keys joined by `#` (idempotency records, table keys, secret names): nothing in an id may
 * be read as a separator, so two tenants' keys can never collide.
 */
export const TENANT_ID_PATTERN = /^[a-z0-9-]{1,40}$/;

export const isTenantId = (value: string): boolean => TENANT_ID_PATTERN.test(value);

export interface Tenant {
  readonly tenantId: string;
  readonly name: string;
  readonly plan: Plan;
  readonly markup: Markup;
  readonly defaultCurrency: string;
  readonly status: "active" | "suspended";
  /** CIDRs (IPv4 and IPv6) its requests must come from; absent or empty: anywhere. */
  readonly ipAllowlist?: readonly string[];
}
