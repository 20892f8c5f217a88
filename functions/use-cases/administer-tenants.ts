/**
 * Tenant administration (CONTRACT.md §6, /ops/api/tenants…): onboard a tenant, change it,
 * add and revoke its API keys. Each key is an API Gateway API key on the tenant's plan's usage
 * plan, created and revoked here, so onboarding and rotation need no deploy.
 */
import { randomBytes } from "node:crypto";
import { type ApiKeyGrant, parseCidr, SCOPES, type Scope } from "../domain/access";
import { AvfError, validationError } from "../domain/errors";
import type { Markup } from "../domain/offer";
import type { Plan, Tenant } from "../domain/tenant";

/** API Gateway's keys (AWS) or its local stand-in's: the value the agency sends, and its id. */
export interface ApiKeyGateway {
  /** Creates a key and attaches it to the plan's usage plan; answers its id and value. */
  create(input: { tenantId: string; plan: Plan }): Promise<{ keyId: string; value: string }>;
  /** Detaches it from the plan's usage plan and deletes it (done already: fine). */
  revoke(input: { keyId: string; plan: Plan }): Promise<void>;
  /** Moves the key from one usage plan to another (a plan change). */
  move(input: { keyId: string; from: Plan; to: Plan }): Promise<void>;
}

export interface TenantStore {
  get(tenantId: string): Promise<Tenant | undefined>;
  /** False when the id is taken. */
  create(tenant: Tenant): Promise<boolean>;
  update(tenantId: string, changes: TenantChanges): Promise<Tenant | undefined>;
  keys(tenantId: string): Promise<ApiKeyGrant[]>;
  putKey(key: ApiKeyGrant & { createdAt: string }): Promise<void>;
  revokeKey(tenantId: string, keyId: string, at: string): Promise<ApiKeyGrant | undefined>;
}

export interface WebhookSecretStore {
  /** Stores the tenant's first signing secret (`whsec_…`). */
  create(tenantId: string, secret: string): Promise<void>;
}

export interface TenantAdminDeps {
  readonly tenants: TenantStore;
  readonly apiKeys: ApiKeyGateway;
  readonly webhookSecrets: WebhookSecretStore;
  readonly now: () => Date;
}

export interface TenantChanges {
  readonly plan?: Plan;
  readonly markup?: Markup;
  readonly ipAllowlist?: readonly string[];
  readonly status?: "active" | "suspended";
  readonly name?: string;
}

/** A new key of a tenant, as answered once: the value is never stored nor shown again. */
export interface IssuedKey {
  readonly api_key: string;
  readonly key_id: string;
  readonly scopes: readonly Scope[];
}

/** Every entry a CIDR (v4 or v6) or a single address, at most 50: else 400 with each bad entry. */
export const checkAllowlist = (allowlist: readonly string[]): string[] => {
  const issues = allowlist.flatMap((entry, index) =>
    parseCidr(entry) === undefined
      ? [{ path: `ip_allowlist.${index}`, message: "must be an IPv4 or IPv6 address or CIDR, e.g. 203.0.113.0/24" }]
      : [],
  );
  if (allowlist.length > 50) issues.push({ path: "ip_allowlist", message: "at most 50 entries" });
  if (issues.length > 0) throw validationError(issues);
  return allowlist.map((entry) => entry.trim());
};

const newWebhookSecret = () => `whsec_${randomBytes(32).toString("base64")}`;

const tenantNotFound = (tenantId: string) =>
  new AvfError("AVF_404_TENANT_NOT_FOUND", `no tenant ${tenantId.slice(0, 64)}`);

const issueKey = async (deps: TenantAdminDeps, tenant: Tenant, scopes: readonly Scope[]): Promise<IssuedKey> => {
  const { keyId, value } = await deps.apiKeys.create({ tenantId: tenant.tenantId, plan: tenant.plan });
  const ordered = SCOPES.filter((scope) => scopes.includes(scope));
  try {
    await deps.tenants.putKey({
      keyId,
      tenantId: tenant.tenantId,
      scopes: ordered,
      status: "active",
      createdAt: deps.now().toISOString(),
    });
  } catch (error) {
    // A key API Gateway accepts but no tenant owns would be refused anyway; do not leave it.
    await deps.apiKeys.revoke({ keyId, plan: tenant.plan }).catch(() => undefined);
    throw error;
  }
  return { api_key: value, key_id: keyId, scopes: ordered };
};

export const createTenant = async (
  deps: TenantAdminDeps,
  input: {
    tenantId: string;
    name?: string;
    plan: Plan;
    markup: Markup;
    ipAllowlist?: readonly string[];
    defaultCurrency?: string;
  },
): Promise<IssuedKey & { tenant_id: string; webhook_secret: string }> => {
  const tenant: Tenant = {
    tenantId: input.tenantId,
    name: input.name ?? input.tenantId,
    plan: input.plan,
    markup: input.markup,
    defaultCurrency: input.defaultCurrency ?? "EUR",
    status: "active",
    ...(input.ipAllowlist === undefined ? {} : { ipAllowlist: checkAllowlist(input.ipAllowlist) }),
  };
  if (!(await deps.tenants.create(tenant))) {
    throw new AvfError("AVF_409_TENANT_EXISTS", `tenant ${input.tenantId} exists already`);
  }
  const webhookSecret = newWebhookSecret();
  await deps.webhookSecrets.create(tenant.tenantId, webhookSecret);
  const key = await issueKey(deps, tenant, SCOPES);
  return { tenant_id: tenant.tenantId, ...key, webhook_secret: webhookSecret };
};

export const updateTenant = async (
  deps: TenantAdminDeps,
  tenantId: string,
  changes: TenantChanges,
): Promise<Tenant> => {
  const before = await deps.tenants.get(tenantId);
  if (before === undefined) throw tenantNotFound(tenantId);
  const valid: TenantChanges = {
    ...changes,
    ...(changes.ipAllowlist === undefined ? {} : { ipAllowlist: checkAllowlist(changes.ipAllowlist) }),
  };
  if (valid.plan !== undefined && valid.plan !== before.plan) {
    const to = valid.plan;
    for (const key of (await deps.tenants.keys(tenantId)).filter((grant) => grant.status === "active")) {
      await deps.apiKeys.move({ keyId: key.keyId, from: before.plan, to });
    }
  }
  const after = await deps.tenants.update(tenantId, valid);
  if (after === undefined) throw tenantNotFound(tenantId);
  return after;
};

export const addApiKey = async (
  deps: TenantAdminDeps,
  tenantId: string,
  scopes: readonly Scope[],
): Promise<IssuedKey> => {
  const tenant = await deps.tenants.get(tenantId);
  if (tenant === undefined) throw tenantNotFound(tenantId);
  return issueKey(deps, tenant, scopes);
};

/**
 * Revokes the key: first our record (the handlers refuse it within seconds, whatever API
 * Gateway's own caches do), then API Gateway's key. Revoking twice is fine.
 */
export const revokeApiKey = async (deps: TenantAdminDeps, tenantId: string, keyId: string): Promise<ApiKeyGrant> => {
  const tenant = await deps.tenants.get(tenantId);
  if (tenant === undefined) throw tenantNotFound(tenantId);
  const revoked = await deps.tenants.revokeKey(tenantId, keyId, deps.now().toISOString());
  if (revoked === undefined) throw new AvfError("AVF_404_API_KEY_NOT_FOUND", `tenant ${tenantId} has no key ${keyId}`);
  await deps.apiKeys.revoke({ keyId, plan: tenant.plan });
  return revoked;
};
