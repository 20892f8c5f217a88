import type { TenantItem } from "../../functions/adapters/dynamodb/tenant-directory";

/** The tenants of CONTRACT.md §2, seeded in local mode and only there. */
export interface SeedTenant {
  readonly apiKey: string;
  readonly webhookSecret: string;
  readonly item: TenantItem;
}

export const SEED_TENANTS: readonly SeedTenant[] = [
  {
    apiKey: "local-agency-a-key",
    webhookSecret: "whsec_bG9jYWwtYWdlbmN5LWEtd2ViaG9vay1zZWNyZXQtMzJi",
    item: {
      tenant_id: "agency-a",
      name: "Agency A",
      // Premium: the demo agencies may search as fast as the DRCT account allows.
      plan: "premium",
      markup: { type: "percent", basis_points: 200 },
      default_currency: "EUR",
      status: "active",
      api_key_id: "local-key-agency-a",
    },
  },
  {
    apiKey: "local-agency-b-key",
    webhookSecret: "whsec_bG9jYWwtYWdlbmN5LWItd2ViaG9vay1zZWNyZXQtMzJi",
    item: {
      tenant_id: "agency-b",
      name: "Agency B",
      plan: "premium",
      markup: { type: "fixed", amount: "5.00" },
      default_currency: "EUR",
      status: "active",
      api_key_id: "local-key-agency-b",
    },
  },
];

export const LOCAL_DRCT_TOKEN = "drct-local-token";

/** What the simulator signs its notifications with locally (DRCT_NOTIFICATION_SECRET overrides it for another DRCT). */
export const LOCAL_DRCT_NOTIFICATION_SECRET = "drct-local-notification-secret";

/** A tenant for tests and benchmarks: `agency-<name>`, key `local-<name>-key`. */
export const testTenant = (name: string, overrides: Partial<SeedTenant["item"]> = {}): SeedTenant => ({
  apiKey: `local-${name}-key`,
  webhookSecret: "whsec_dGVzdC10ZW5hbnQtd2ViaG9vay1zZWNyZXQtMzJieXRlcw==",
  item: {
    tenant_id: `agency-${name}`,
    name: `Agency ${name}`,
    plan: "standard",
    markup: { type: "percent", basis_points: 100 },
    default_currency: "EUR",
    status: "active",
    api_key_id: `local-key-${name}`,
    ...overrides,
  },
});
