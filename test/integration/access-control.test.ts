/**
 * Tenant access control through /ops/api only, no restart (CONTRACT.md §3 "Access control", §6):
 * onboarding, IP allowlists (never X-Forwarded-For), key scopes, revocation while requests are
 * in flight, suspension, and every refusal listed as an AuthEvent.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { testTenant } from "../../lib/local/seed";
import { API_KEYS, type ApiResponse, type CallOptions, searchBody, sleep, useLocalRuntime } from "./harness";

// agency-legacy: onboarded the old way (its key id on its profile, every scope).
const harness = useLocalRuntime({ extraTenants: [testTenant("legacy")] });

/** Changes take effect within this (CONTRACT.md §6). */
const EFFECTIVE_WITHIN_MS = 5_000;

const ops = <T = Record<string, unknown>>(path: string, options: Omit<CallOptions, "key"> = {}) =>
  harness.call<T>(`/ops/api${path}`, {
    ...options,
    key: null,
    headers: { "x-ops-key": harness.runtime.opsKey, ...options.headers },
  });

/**
 * Calls every 150 ms, without waiting for earlier answers (at most 5 at once, so a slow answer
 * on a loaded machine does not hold the next call back), until one answer satisfies `done`;
 * answers it and how long after the start it came.
 */
const until = (
  call: () => Promise<ApiResponse>,
  done: (response: ApiResponse) => boolean,
  withinMs = EFFECTIVE_WITHIN_MS + 3_000,
): Promise<{ response: ApiResponse; afterMs: number }> =>
  new Promise((resolve, reject) => {
    const started = Date.now();
    let finished = false;
    let inFlight = 0;
    let last: ApiResponse | undefined;
    const finish = (response: ApiResponse) => {
      finished = true;
      resolve({ response, afterMs: Date.now() - started });
    };
    const tick = () => {
      if (finished) return;
      if (Date.now() - started > withinMs && last !== undefined) return finish(last);
      if (inFlight < 5) {
        inFlight += 1;
        call()
          .then((response) => {
            last = response;
            if (!finished && done(response)) finish(response);
          })
          .catch((error: unknown) => {
            if (!finished) reject(error);
          })
          .finally(() => {
            inFlight -= 1;
          });
      }
      setTimeout(tick, 150);
    };
    tick();
  });

interface AuthEventView {
  readonly reason: string;
  readonly tenant_id?: string;
  readonly key_id?: string;
  readonly source_ip?: string;
  readonly route: string;
  readonly user_agent?: string;
}

const authEvents = async (query = "") =>
  (await ops<{ auth_events: AuthEventView[] }>(`/auth-events?limit=200${query}`)).body.auth_events;

const createTenant = async (tenantId: string, extra: Record<string, unknown> = {}) => {
  const created = await ops<{
    tenant_id: string;
    api_key: string;
    key_id: string;
    scopes: string[];
    webhook_secret: string;
  }>("/tenants", {
    body: { tenant_id: tenantId, plan: "premium", markup: { type: "percent", basis_points: 150 }, ...extra },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
};

describe("operators' and agencies' credentials never open each other's routes", () => {
  test("an agency key on /ops/api is refused, and so is the ops key on /public", async () => {
    const agencyOnOps = await harness.call("/ops/api/auth-events", { key: API_KEYS.a });
    expect(agencyOnOps.status).toBe(401);
    const opsOnPublic = await harness.call("/public/usage", {
      key: null,
      headers: { "x-ops-key": harness.runtime.opsKey },
    });
    expect(opsOnPublic.status).toBe(401);
    const wrongOpsKey = await harness.call("/ops/api/auth-events", { key: null, headers: { "x-ops-key": "guess" } });
    expect(wrongOpsKey.status).toBe(401);
    const events = await until(
      async () => ({ status: 200, headers: new Headers(), body: { events: await authEvents() } }),
      (response) =>
        (response.body.events as AuthEventView[]).filter((event) => event.source_ip === "127.0.0.1").length >= 3,
    );
    const reasons = (events.response.body.events as AuthEventView[]).map((event) => `${event.reason} ${event.route}`);
    expect(reasons).toContain("operator_auth_failed GET /ops/api/auth-events");
    expect(reasons).toContain("missing_key GET /public/usage");
  });
});

// Concurrent, each on a tenant of its own; 60 s like the other integration tests that start functions cold.
describe.concurrent("a tenant onboarded through /ops/api, without a restart", { timeout: 60_000 }, () => {
  test("its first key has every scope and searches; the webhook secret is a Standard Webhooks one", async () => {
    const tenant = await createTenant("agency-onboarded");
    expect(tenant.scopes).toEqual(["search", "book", "read", "admin"]);
    expect(tenant.webhook_secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    // Where the callback sender reads it (Secrets Manager's stand-in): its callbacks are signed with it.
    const stored = readFileSync(join(harness.runtime.dataDir, "secrets", "webhook-agency-onboarded.json"), "utf8");
    expect(JSON.parse(stored)).toEqual({ secrets: [tenant.webhook_secret] });
    const search = await harness.search(tenant.api_key, searchBody());
    expect(search.status, JSON.stringify(search.body)).toBe(200);
    const read = await ops<{ keys: { key_id: string; status: string }[]; plan: string }>("/tenants/agency-onboarded");
    expect(read.body.plan).toBe("premium");
    expect(read.body.keys).toEqual([expect.objectContaining({ key_id: tenant.key_id, status: "active" })]);
    expect(JSON.stringify(read.body)).not.toContain(tenant.api_key);
    const again = await ops("/tenants", {
      body: { tenant_id: "agency-onboarded", plan: "standard", markup: { type: "fixed", amount: "5.00" } },
    });
    expect(again.status).toBe(409);
  });

  test("an allowlist edit: 10.0.0.0/8 refuses 127.0.0.1 even with a spoofed X-Forwarded-For; 127.0.0.0/8 lets it in within 5 s", async () => {
    const tenant = await createTenant("agency-allowlist", { ip_allowlist: ["10.0.0.0/8"] });
    const spoofed = () =>
      harness.call("/public/usage", {
        key: tenant.api_key,
        headers: { "x-forwarded-for": "10.1.2.3", "user-agent": "allowlist-test/1.0" },
      });
    const refused = await spoofed();
    expect(refused.status).toBe(403);
    expect((refused.body.error as { code: string }).code).toBe("AVF_403_IP_NOT_ALLOWED");

    const changed = await ops("/tenants/agency-allowlist", {
      method: "PATCH",
      body: { ip_allowlist: ["2001:db8::/32", "127.0.0.0/8"] },
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    const passed = await until(spoofed, (response) => response.status === 200);
    expect(passed.response.status).toBe(200);
    expect(passed.afterMs).toBeLessThan(EFFECTIVE_WITHIN_MS);

    const v6Only = await ops("/tenants/agency-allowlist", { method: "PATCH", body: { ip_allowlist: ["::1/128"] } });
    expect(v6Only.status).toBe(200);
    const refusedAgain = await until(spoofed, (response) => response.status === 403);
    expect(refusedAgain.afterMs).toBeLessThan(EFFECTIVE_WITHIN_MS);

    const events = await authEvents("&tenant_id=agency-allowlist&reason=ip_not_allowed");
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events[0]).toMatchObject({
      reason: "ip_not_allowed",
      tenant_id: "agency-allowlist",
      key_id: tenant.key_id,
      source_ip: "127.0.0.1",
      user_agent: "allowlist-test/1.0",
      route: "GET /public/usage",
    });
    expect(JSON.stringify(events)).not.toContain(tenant.api_key);
  });

  test("a bad CIDR is a 400 naming the entry", async () => {
    await createTenant("agency-cidr");
    const bad = await ops("/tenants/agency-cidr", {
      method: "PATCH",
      body: { ip_allowlist: ["10.0.0.0/33", "example.com"] },
    });
    expect(bad.status).toBe(400);
    const issues = (bad.body.error as { details: { issues: { path: string }[] } }).details.issues;
    expect(issues.map((issue) => issue.path)).toEqual(["ip_allowlist.0", "ip_allowlist.1"]);
  });

  test("a search,read key cannot create orders (403 AVF_403_SCOPE_REQUIRED) but reads them", async () => {
    await createTenant("agency-scoped");
    const key = await ops<{ api_key: string; key_id: string; scopes: string[] }>("/tenants/agency-scoped/keys", {
      body: { scopes: ["read", "search"] },
    });
    expect(key.status).toBe(201);
    expect(key.body.scopes).toEqual(["search", "read"]);
    const create = await harness.call("/public/orders", {
      key: key.body.api_key,
      headers: { "idempotency-key": "scope-test-1" },
      body: { offer_id: "off_whatever" },
    });
    expect(create.status).toBe(403);
    expect(create.body.error).toMatchObject({ code: "AVF_403_SCOPE_REQUIRED", details: { required_scope: "book" } });
    expect((await harness.call("/public/orders", { key: key.body.api_key })).status).toBe(200);
    const events = await authEvents("&tenant_id=agency-scoped&reason=scope_required");
    expect(events[0]).toMatchObject({ key_id: key.body.key_id, route: "POST /public/orders", source_ip: "127.0.0.1" });
  });

  test("a key revoked while requests are in flight: none fails otherwise, and it gets 401 within 5 s", async () => {
    const tenant = await createTenant("agency-rotating");
    const successor = await ops<{ api_key: string }>("/tenants/agency-rotating/keys", {
      body: { scopes: ["search", "book", "read", "admin"] },
    });
    let revokedAt = 0;
    let refusedAt = 0;
    let answeredAt = 0;
    const statuses = new Set<number>();
    const loop = async () => {
      while (refusedAt === 0 || Date.now() - refusedAt < 500) {
        const response = await harness.call("/public/usage", { key: tenant.api_key });
        statuses.add(response.status);
        if (response.status === 401 && revokedAt > 0 && refusedAt === 0) refusedAt = Date.now();
        if (answeredAt > 0 && Date.now() - answeredAt > EFFECTIVE_WITHIN_MS + 2_000) break;
      }
    };
    const inFlight = [loop(), loop(), loop()];
    await sleep(300);
    revokedAt = Date.now();
    const revoked = await ops(`/tenants/agency-rotating/keys/${tenant.key_id}`, { method: "DELETE" });
    answeredAt = Date.now();
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe("revoked");
    await Promise.all(inFlight);
    expect(refusedAt).toBeGreaterThan(0);
    // Within 5 s of the operator's answer (the revocation's own request may wait on a cold start).
    expect(refusedAt - answeredAt).toBeLessThan(EFFECTIVE_WITHIN_MS);
    expect([...statuses].sort()).toEqual([200, 401]);
    // Rotation: the successor still works, the old key stays refused.
    expect((await harness.call("/public/usage", { key: successor.body.api_key })).status).toBe(200);
    expect((await harness.call("/public/usage", { key: tenant.api_key })).status).toBe(401);
    const again = await ops(`/tenants/agency-rotating/keys/${tenant.key_id}`, { method: "DELETE" });
    expect(again.status).toBe(200);
    const events = await authEvents();
    expect(
      events.some(
        (event) => ["unknown_key", "revoked_key"].includes(event.reason) && event.route === "GET /public/usage",
      ),
    ).toBe(true);
  });

  test("a suspended tenant's keys get 401 within 5 s, and work again once it is active", async () => {
    const tenant = await createTenant("agency-suspended");
    const call = () => harness.call("/public/usage", { key: tenant.api_key });
    expect((await call()).status).toBe(200);
    await ops("/tenants/agency-suspended", { method: "PATCH", body: { status: "suspended" } });
    const refused = await until(call, (response) => response.status === 401);
    expect(refused.afterMs).toBeLessThan(EFFECTIVE_WITHIN_MS);
    await ops("/tenants/agency-suspended", { method: "PATCH", body: { status: "active" } });
    expect((await until(call, (response) => response.status === 200)).response.status).toBe(200);
    const events = await authEvents("&tenant_id=agency-suspended");
    expect(events.map((event) => event.reason)).toContain("tenant_suspended");
  });

  test("a tenant onboarded before key items: its key is listed with every scope, and revoking it works", async () => {
    const legacy = testTenant("legacy");
    const read = await ops<{ keys: { key_id: string; scopes: string[]; status: string }[] }>("/tenants/agency-legacy");
    expect(read.body.keys).toEqual([
      { key_id: legacy.item.api_key_id, scopes: ["search", "book", "read", "admin"], status: "active" },
    ]);
    const call = () => harness.call("/public/usage", { key: legacy.apiKey });
    expect((await call()).status).toBe(200);
    const revoked = await ops(`/tenants/agency-legacy/keys/${legacy.item.api_key_id}`, { method: "DELETE" });
    expect(revoked.status).toBe(200);
    const refused = await until(call, (response) => response.status === 401);
    expect(refused.afterMs).toBeLessThan(EFFECTIVE_WITHIN_MS);
    const after = await ops<{ keys: { key_id: string; status: string }[] }>("/tenants/agency-legacy");
    expect(after.body.keys).toEqual([expect.objectContaining({ key_id: legacy.item.api_key_id, status: "revoked" })]);
  });

  test("the seeded keys keep every scope", async () => {
    expect((await harness.call("/public/orders", { key: API_KEYS.b })).status).toBe(200);
    const replay = await harness.call("/public/callbacks/dlv_unknown/replay", { key: API_KEYS.b, body: {} });
    expect(replay.status).not.toBe(403);
  });
});
