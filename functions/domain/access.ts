import { BlockList, isIP } from "node:net";

/**
 * Who may call what (CONTRACT.md §3 "Access control"): an API key's scopes, a tenant's IP
 * allowlist, and the reasons a request is refused. Pure: no AWS, no clock.
 */
export const SCOPES = ["search", "book", "read", "admin"] as const;
export type Scope = (typeof SCOPES)[number];

export const isScope = (value: string): value is Scope => (SCOPES as readonly string[]).includes(value);

/** Why an authentication was refused; each refusal is recorded as an AuthEvent with one of these. */
export const REFUSAL_REASONS = [
  "missing_key",
  "unknown_key",
  "revoked_key",
  "tenant_suspended",
  "ip_not_allowed",
  "scope_required",
  "operator_auth_failed",
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export interface ApiKeyGrant {
  readonly keyId: string;
  readonly tenantId: string;
  readonly scopes: readonly Scope[];
  readonly status: "active" | "revoked";
  readonly createdAt?: string;
  readonly revokedAt?: string;
}

export interface TenantAccess {
  readonly tenantId: string;
  readonly status: "active" | "suspended";
  /** CIDRs; empty or absent: every address. */
  readonly ipAllowlist?: readonly string[];
}

/** A CIDR as written (`10.0.0.0/8`, `2001:db8::/32`) or a single address (`192.0.2.1`, a /32 or /128). */
export interface Cidr {
  readonly network: string;
  readonly prefix: number;
  readonly family: "ipv4" | "ipv6";
}

/** Parses `address[/prefix]`; undefined when it is not one (a bad prefix, a host name, junk). */
export const parseCidr = (text: string): Cidr | undefined => {
  const [address = "", prefixText, ...rest] = text.trim().split("/");
  if (rest.length > 0) return undefined;
  const version = isIP(address);
  if (version === 0) return undefined;
  const family = version === 4 ? "ipv4" : "ipv6";
  const max = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return undefined;
  return { network: address, prefix, family };
};

/** `::ffff:10.1.2.3` (an IPv4 client on a dual-stack socket) is the IPv4 address it carries. */
const unmapped = (address: string): string => {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return mapped?.[1] ?? address;
};

/**
 * Whether `sourceIp` is inside one of the CIDRs. An empty allowlist allows every address; an
 * address that is not an IP (absent, garbage) is inside none.
 */
export const ipAllowed = (allowlist: readonly string[] | undefined, sourceIp: string | undefined): boolean => {
  if (allowlist === undefined || allowlist.length === 0) return true;
  if (sourceIp === undefined) return false;
  const address = unmapped(sourceIp.trim());
  const version = isIP(address);
  if (version === 0) return false;
  const list = new BlockList();
  for (const entry of allowlist) {
    const cidr = parseCidr(entry);
    if (cidr !== undefined) list.addSubnet(cidr.network, cidr.prefix, cidr.family);
  }
  return list.check(address, version === 4 ? "ipv4" : "ipv6");
};

export type AccessDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: RefusalReason; readonly tenantId?: string; readonly keyId?: string };

/**
 * The one decision for an agency's request, in this order: the key (known, not revoked), the
 * tenant (active), the source address (in the allowlist), the route's scope (on the key).
 * A caller learns no more than the first failing check.
 */
export const decideAccess = (input: {
  readonly key: ApiKeyGrant | undefined;
  readonly tenant: TenantAccess | undefined;
  readonly sourceIp: string | undefined;
  readonly requiredScope: Scope;
}): AccessDecision => {
  const { key, tenant } = input;
  if (key === undefined) return { allowed: false, reason: "unknown_key" };
  const known = { tenantId: key.tenantId, keyId: key.keyId };
  if (key.status !== "active") return { allowed: false, reason: "revoked_key", ...known };
  if (tenant === undefined) return { allowed: false, reason: "unknown_key", ...known };
  if (tenant.status !== "active") return { allowed: false, reason: "tenant_suspended", ...known };
  if (!ipAllowed(tenant.ipAllowlist, input.sourceIp)) return { allowed: false, reason: "ip_not_allowed", ...known };
  if (!key.scopes.includes(input.requiredScope)) return { allowed: false, reason: "scope_required", ...known };
  return { allowed: true };
};

/**
 * The reason of a refusal API Gateway made itself, from its access log: its error response
 * type and the route. Undefined: not an authentication refusal (throttling, a bad body, no such
 * route). API Gateway does not tell a missing key from a wrong one in every case; an unknown key
 * is also what a revoked (deleted) one looks like to it.
 */
export const gatewayRefusalReason = (errorResponseType: string, resourcePath: string): RefusalReason | undefined => {
  const operatorRoute = resourcePath === "/ops/api" || resourcePath.startsWith("/ops/api/");
  if (operatorRoute) {
    return [
      "MISSING_AUTHENTICATION_TOKEN",
      "INVALID_SIGNATURE",
      "EXPIRED_TOKEN",
      "ACCESS_DENIED",
      "UNAUTHORIZED",
    ].includes(errorResponseType)
      ? "operator_auth_failed"
      : undefined;
  }
  if (errorResponseType === "INVALID_API_KEY") return "unknown_key";
  if (errorResponseType === "ACCESS_DENIED" || errorResponseType === "FORBIDDEN") return "missing_key";
  return undefined;
};
