import type { Markup } from "./offer";

export type Plan = "standard" | "premium";

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
