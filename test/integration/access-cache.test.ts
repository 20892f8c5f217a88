/**
 * What a warm function knows of an API key, against the DynamoDB stand-in: fresh for 2 s,
 * then answered from while a read beside the request refreshes it, and read first past 4 s,
 * so a revoked key is refused within 5 s while a steady caller never waits for the lookup.
 */
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import {
  ACCESS_FRESH_MS,
  ACCESS_STALE_MS,
  putApiKeyItem,
  putTenant,
  resolveAccessByApiKeyId,
  revokeApiKeyItem,
} from "../../functions/adapters/dynamodb/tenant-directory";
import { settleBookkeeping } from "../../functions/shared/bookkeeping";
import { useLocalDynamo } from "./local-dynamo";

useLocalDynamo("access-cache-test", ["tenants"]);

beforeAll(async () => {
  await putTenant({
    tenant_id: "agency-cache",
    name: "Cache",
    plan: "standard",
    markup: { type: "percent", basis_points: 0 },
    status: "active",
  });
  await putApiKeyItem({
    tenant_id: "agency-cache",
    api_key_id: "key-cache-1",
    scopes: ["search"],
    status: "active",
    created_at: "2031-01-01T00:00:00Z",
  });
});
afterAll(() => {
  vi.useRealTimers();
});

describe("a warm function's knowledge of an API key", () => {
  test("fresh, then stale while refreshed beside the request, then read first: a revocation lands within the stale bound", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const t0 = Date.parse("2031-01-01T12:00:00Z");
    vi.setSystemTime(t0);
    expect((await resolveAccessByApiKeyId("key-cache-1")).key?.status).toBe("active");
    await revokeApiKeyItem("agency-cache", "key-cache-1", "2031-01-01T12:00:00Z");

    vi.setSystemTime(t0 + ACCESS_FRESH_MS - 1);
    expect((await resolveAccessByApiKeyId("key-cache-1")).key?.status).toBe("active");

    // Stale: answered from what was read, while the refresh runs beside the request.
    vi.setSystemTime(t0 + ACCESS_FRESH_MS + 1);
    expect((await resolveAccessByApiKeyId("key-cache-1")).key?.status).toBe("active");
    await settleBookkeeping();
    expect((await resolveAccessByApiKeyId("key-cache-1")).key?.status).toBe("revoked");
  });

  test("past the stale bound nothing old is answered: the key is read first", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const t0 = Date.parse("2031-02-01T12:00:00Z");
    vi.setSystemTime(t0);
    await putApiKeyItem({
      tenant_id: "agency-cache",
      api_key_id: "key-cache-2",
      scopes: ["search"],
      status: "active",
      created_at: "2031-02-01T00:00:00Z",
    });
    expect((await resolveAccessByApiKeyId("key-cache-2")).key?.status).toBe("active");
    await revokeApiKeyItem("agency-cache", "key-cache-2", "2031-02-01T12:00:00Z");
    vi.setSystemTime(t0 + ACCESS_STALE_MS);
    expect((await resolveAccessByApiKeyId("key-cache-2")).key?.status).toBe("revoked");
  });
});
