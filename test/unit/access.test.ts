import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  type ApiKeyGrant,
  decideAccess,
  gatewayRefusalReason,
  ipAllowed,
  parseCidr,
  SCOPES,
  type TenantAccess,
} from "../../functions/domain/access";

describe("CIDRs", () => {
  test.each([
    ["10.0.0.0/8", { network: "10.0.0.0", prefix: 8, family: "ipv4" }],
    ["192.0.2.7", { network: "192.0.2.7", prefix: 32, family: "ipv4" }],
    [" 2001:db8::/32 ", { network: "2001:db8::", prefix: 32, family: "ipv6" }],
    ["::1", { network: "::1", prefix: 128, family: "ipv6" }],
    ["0.0.0.0/0", { network: "0.0.0.0", prefix: 0, family: "ipv4" }],
  ])("%j parses", (text, cidr) => {
    expect(parseCidr(text)).toEqual(cidr);
  });

  test.each([
    "10.0.0.0/33",
    "2001:db8::/129",
    "example.com",
    "10.0.0.0/8/8",
    "10.0.0/8",
    "10.0.0.0/-1",
    "10.0.0.0/",
    "",
  ])("%j is refused", (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });
});

describe("IP allowlists", () => {
  test.each([
    [["10.0.0.0/8"], "10.200.3.4", true],
    [["10.0.0.0/8"], "11.0.0.1", false],
    [["10.0.0.0/8"], "127.0.0.1", false],
    [["127.0.0.0/8"], "127.0.0.1", true],
    [["2001:db8::/32"], "2001:db8:ffff::1", true],
    [["2001:db8::/32"], "2001:db9::1", false],
    [["2001:db8::/32"], "10.0.0.1", false],
    [["10.0.0.0/8"], "::ffff:10.1.2.3", true],
    [["192.0.2.7"], "192.0.2.7", true],
    [["192.0.2.7"], "192.0.2.8", false],
    [["::1/128", "10.0.0.0/8"], "::1", true],
    [[], "203.0.113.9", true],
    [["10.0.0.0/8"], "not an address", false],
    [["10.0.0.0/8"], undefined, false],
  ] as const)("%j allows %s: %s", (allowlist, sourceIp, allowed) => {
    expect(ipAllowed(allowlist, sourceIp)).toBe(allowed);
  });

  const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
  const text = (octets: readonly number[]) => octets.join(".");
  const toNumber = (octets: readonly number[]) => octets.reduce((sum, octet) => sum * 256 + octet, 0);

  test("an IPv4 address is inside a /n exactly when its first n bits are the network's", () => {
    fc.assert(
      fc.property(ipv4, ipv4, fc.integer({ min: 0, max: 32 }), (network, address, prefix) => {
        const sameBits =
          Math.floor(toNumber(network) / 2 ** (32 - prefix)) === Math.floor(toNumber(address) / 2 ** (32 - prefix));
        expect(ipAllowed([`${text(network)}/${prefix}`], text(address))).toBe(sameBits);
      }),
    );
  });

  test("an IPv6 /64 holds every address with its first four groups, and none other", () => {
    const group = fc.nat(0xffff).map((value) => value.toString(16));
    const groups = (count: number) => fc.array(group, { minLength: count, maxLength: count });
    fc.assert(
      fc.property(groups(4), groups(4), groups(4), (prefix, host, otherPrefix) => {
        const cidr = `${prefix.join(":")}::/64`;
        expect(ipAllowed([cidr], [...prefix, ...host].join(":"))).toBe(true);
        const same = otherPrefix.every(
          (value, index) => Number.parseInt(value, 16) === Number.parseInt(prefix[index] ?? "", 16),
        );
        expect(ipAllowed([cidr], [...otherPrefix, ...host].join(":"))).toBe(same);
      }),
    );
  });
});

describe("the access decision", () => {
  const key: ApiKeyGrant = { keyId: "k1", tenantId: "agency-x", scopes: ["search", "read"], status: "active" };
  const tenant: TenantAccess = { tenantId: "agency-x", status: "active", ipAllowlist: ["10.0.0.0/8"] };
  const decide = (overrides: Partial<Parameters<typeof decideAccess>[0]> = {}) =>
    decideAccess({ key, tenant, sourceIp: "10.1.1.1", requiredScope: "search", ...overrides });

  test("an active key of an active tenant, from an allowed address, with the scope, passes", () => {
    expect(decide()).toEqual({ allowed: true });
  });

  test("each refusal names its reason, the tenant and the key; the first failing rule wins", () => {
    expect(decide({ key: undefined })).toEqual({ allowed: false, reason: "unknown_key" });
    expect(decide({ key: { ...key, status: "revoked" }, sourceIp: "1.1.1.1" })).toMatchObject({
      reason: "revoked_key",
      tenantId: "agency-x",
      keyId: "k1",
    });
    expect(decide({ tenant: { ...tenant, status: "suspended" }, sourceIp: "1.1.1.1" })).toMatchObject({
      reason: "tenant_suspended",
    });
    expect(decide({ sourceIp: "1.1.1.1", requiredScope: "book" })).toMatchObject({ reason: "ip_not_allowed" });
    expect(decide({ requiredScope: "book" })).toMatchObject({ reason: "scope_required", keyId: "k1" });
    expect(decide({ tenant: undefined })).toMatchObject({ reason: "unknown_key" });
  });

  test("a key passes a route exactly when it carries the route's scope", () => {
    fc.assert(
      fc.property(fc.subarray([...SCOPES]), fc.constantFrom(...SCOPES), (scopes, required) => {
        const decision = decide({ key: { ...key, scopes }, requiredScope: required });
        expect(decision.allowed).toBe(scopes.includes(required));
      }),
    );
  });
});

describe("API Gateway's own refusals, from its access log", () => {
  test.each([
    ["INVALID_API_KEY", "/public/orders", "unknown_key"],
    ["ACCESS_DENIED", "/public/orders/{orderId}", "missing_key"],
    ["MISSING_AUTHENTICATION_TOKEN", "/ops/api/tenants", "operator_auth_failed"],
    ["INVALID_SIGNATURE", "/ops/api/auth-events", "operator_auth_failed"],
    ["MISSING_AUTHENTICATION_TOKEN", "/no/such/route", undefined],
    ["THROTTLED", "/public/orders", undefined],
    ["", "/public/orders", undefined],
  ] as const)("%s on %s: %s", (type, path, reason) => {
    expect(gatewayRefusalReason(type, path)).toBe(reason);
  });
});
