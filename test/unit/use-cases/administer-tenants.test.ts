import { describe, expect, test } from "vitest";
import type { ApiKeyGrant } from "../../../functions/domain/access";
import { AvfError } from "../../../functions/domain/errors";
import type { Plan, Tenant } from "../../../functions/domain/tenant";
import {
  addApiKey,
  createTenant,
  revokeApiKey,
  type TenantAdminDeps,
  updateTenant,
} from "../../../functions/use-cases/administer-tenants";

/** API Gateway's keys and usage plans, and the Tenants table, as plain maps. */
const world = (options: { failKeyWrite?: boolean } = {}) => {
  const gatewayKeys = new Map<string, { value: string; plan: Plan | undefined }>();
  const tenants = new Map<string, Tenant>();
  const keys = new Map<string, ApiKeyGrant>();
  const secrets = new Map<string, string>();
  let next = 0;
  const deps: TenantAdminDeps = {
    now: () => new Date("2026-11-30T12:00:00Z"),
    apiKeys: {
      create: async ({ plan }) => {
        next += 1;
        const keyId = `k${next}`;
        gatewayKeys.set(keyId, { value: `avf_value_${next}`, plan });
        return { keyId, value: `avf_value_${next}` };
      },
      revoke: async ({ keyId }) => {
        gatewayKeys.delete(keyId);
      },
      move: async ({ keyId, from, to }) => {
        const key = gatewayKeys.get(keyId);
        if (key === undefined || key.plan !== from) throw new Error(`${keyId} is not on ${from}`);
        gatewayKeys.set(keyId, { ...key, plan: to });
      },
    },
    tenants: {
      get: async (tenantId) => tenants.get(tenantId),
      create: async (tenant) => {
        if (tenants.has(tenant.tenantId)) return false;
        tenants.set(tenant.tenantId, tenant);
        return true;
      },
      update: async (tenantId, changes) => {
        const tenant = tenants.get(tenantId);
        if (tenant === undefined) return undefined;
        const updated: Tenant = {
          ...tenant,
          ...(changes.plan === undefined ? {} : { plan: changes.plan }),
          ...(changes.status === undefined ? {} : { status: changes.status }),
          ...(changes.ipAllowlist === undefined ? {} : { ipAllowlist: changes.ipAllowlist }),
        };
        tenants.set(tenantId, updated);
        return updated;
      },
      keys: async (tenantId) => [...keys.values()].filter((key) => key.tenantId === tenantId),
      putKey: async (key) => {
        if (options.failKeyWrite) throw new Error("DynamoDB is down");
        keys.set(key.keyId, key);
      },
      revokeKey: async (tenantId, keyId, at) => {
        const key = keys.get(keyId);
        if (key === undefined || key.tenantId !== tenantId) return undefined;
        const revoked: ApiKeyGrant = { ...key, status: "revoked", revokedAt: key.revokedAt ?? at };
        keys.set(keyId, revoked);
        return revoked;
      },
    },
    webhookSecrets: {
      create: async (tenantId, secret) => {
        secrets.set(tenantId, secret);
      },
    },
  };
  return { deps, gatewayKeys, tenants, keys, secrets };
};

const onboard = (deps: TenantAdminDeps, extra: { ipAllowlist?: string[] } = {}) =>
  createTenant(deps, {
    tenantId: "agency-x",
    plan: "standard",
    markup: { type: "percent", basis_points: 200 },
    ...extra,
  });

const codeOf = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return error instanceof AvfError ? error.code : error;
};

describe("tenant administration", () => {
  test("onboarding answers the first key with every scope and a webhook secret, and stores neither key value", async () => {
    const { deps, gatewayKeys, keys, secrets } = world();
    const created = await onboard(deps);
    expect(created).toMatchObject({ tenant_id: "agency-x", key_id: "k1", scopes: ["search", "book", "read", "admin"] });
    expect(gatewayKeys.get("k1")).toEqual({ value: created.api_key, plan: "standard" });
    expect(secrets.get("agency-x")).toBe(created.webhook_secret);
    expect(created.webhook_secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(JSON.stringify([...keys.values()])).not.toContain(created.api_key);
    expect(await codeOf(onboard(deps))).toBe("AVF_409_TENANT_EXISTS");
  });

  test("a bad allowlist entry is a 400 before anything is written", async () => {
    const { deps, tenants } = world();
    expect(await codeOf(onboard(deps, { ipAllowlist: ["10.0.0.0/8", "10.0.0.0/40"] }))).toBe("AVF_400_VALIDATION");
    expect(tenants.size).toBe(0);
  });

  test("a key API Gateway made but the table could not record is revoked again", async () => {
    const { deps, gatewayKeys, tenants } = world({ failKeyWrite: true });
    tenants.set("agency-x", {
      tenantId: "agency-x",
      name: "X",
      plan: "premium",
      markup: { type: "percent", basis_points: 0 },
      defaultCurrency: "EUR",
      status: "active",
    });
    await expect(addApiKey(deps, "agency-x", ["read"])).rejects.toThrow("DynamoDB is down");
    expect(gatewayKeys.size).toBe(0);
  });

  test("keys get the scopes asked for, in canonical order; revocation is recorded first, then API Gateway's key goes", async () => {
    const { deps, gatewayKeys } = world();
    await onboard(deps);
    const narrow = await addApiKey(deps, "agency-x", ["read", "search"]);
    expect(narrow.scopes).toEqual(["search", "read"]);
    const revoked = await revokeApiKey(deps, "agency-x", narrow.key_id);
    expect(revoked).toMatchObject({ status: "revoked", revokedAt: "2026-11-30T12:00:00.000Z" });
    expect(gatewayKeys.has(narrow.key_id)).toBe(false);
    expect((await revokeApiKey(deps, "agency-x", narrow.key_id)).status).toBe("revoked");
    expect(await codeOf(revokeApiKey(deps, "agency-x", "k404"))).toBe("AVF_404_API_KEY_NOT_FOUND");
    expect(await codeOf(revokeApiKey(deps, "agency-y", "k1"))).toBe("AVF_404_TENANT_NOT_FOUND");
    expect(await codeOf(addApiKey(deps, "agency-y", ["read"]))).toBe("AVF_404_TENANT_NOT_FOUND");
  });

  test("a plan change moves the tenant's active keys to the new usage plan", async () => {
    const { deps, gatewayKeys } = world();
    const first = await onboard(deps);
    const second = await addApiKey(deps, "agency-x", ["read"]);
    const gone = await addApiKey(deps, "agency-x", ["read"]);
    await revokeApiKey(deps, "agency-x", gone.key_id);
    const updated = await updateTenant(deps, "agency-x", { plan: "premium", ipAllowlist: ["2001:db8::/32"] });
    expect(updated).toMatchObject({ plan: "premium", ipAllowlist: ["2001:db8::/32"] });
    expect(gatewayKeys.get(first.key_id)?.plan).toBe("premium");
    expect(gatewayKeys.get(second.key_id)?.plan).toBe("premium");
    expect(await codeOf(updateTenant(deps, "agency-y", { status: "suspended" }))).toBe("AVF_404_TENANT_NOT_FOUND");
  });
});
