import { lookup as dnsLookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

/**
 * Where partner callbacks may go (CONTRACT.md §4): https on port 443 to a host that resolves only
 * to public unicast addresses. `allowPrivate` (CALLBACK_ALLOW_PRIVATE, local use only) relaxes the
 * scheme, the port and the address rules.
 *
 * Three layers use this module: `checkCallbackUrl` (syntax, on order create and again before every
 * send), `resolveCallbackHost` (DNS, on order create) and the sender's lookup filter, which judges
 * the addresses actually dialled (DNS rebinding).
 */
export type CallbackUrlVerdict = { ok: true; url: URL } | { ok: false; reason: string };

export type CallbackLookup = (host: string) => Promise<{ address: string; family: number }[]>;

export const MAX_CALLBACK_URL_LENGTH = 2048;

/** Special-purpose IPv4 blocks (RFC 6890 and successors) that a partner endpoint never lives in. */
const REFUSED_IPV4: readonly (readonly [string, number])[] = [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local, incl. 169.254.169.254 (cloud metadata)
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // TEST-NET-1
  ["192.88.99.0", 24], // deprecated 6to4 relay anycast
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // TEST-NET-2
  ["203.0.113.0", 24], // TEST-NET-3
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, incl. 255.255.255.255 broadcast
];

/**
 * IPv6 is judged as an allow-list: only global unicast 2000::/3 can be public. That alone refuses
 * ::, ::1, IPv4-mapped ::ffff:0:0/96, IPv4-compatible ::/96, 64:ff9b::/96 NAT64, 100::/64,
 * fc00::/7 ULA, fe80::/10 link-local, fec0::/10, ff00::/8 multicast and all unallocated space.
 * Inside 2000::/3 these are refused as well:
 */
const REFUSED_IPV6_IN_GLOBAL_UNICAST: readonly (readonly [string, number])[] = [
  ["2001::", 23], // IETF protocol assignments: Teredo 2001::/32 (embeds IPv4), benchmarking, ORCHID
  ["2001:db8::", 32], // documentation
  ["2002::", 16], // 6to4 (embeds an IPv4 address)
  ["3fff::", 20], // documentation (RFC 9637)
];

const refusedV4 = new BlockList();
for (const [network, prefix] of REFUSED_IPV4) refusedV4.addSubnet(network, prefix, "ipv4");

const globalUnicastV6 = new BlockList();
globalUnicastV6.addSubnet("2000::", 3, "ipv6");

const refusedV6 = new BlockList();
for (const [network, prefix] of REFUSED_IPV6_IN_GLOBAL_UNICAST) refusedV6.addSubnet(network, prefix, "ipv6");

/**
 * True only for a public unicast IPv4 or IPv6 address in canonical textual form (no brackets,
 * no zone id). Anything that is not an address at all is not public.
 */
export const isPublicAddress = (ip: string): boolean => {
  if (ip.includes("%")) return false; // zone ids only exist for link-local scopes
  switch (isIP(ip)) {
    case 4:
      return !refusedV4.check(ip, "ipv4");
    case 6:
      return globalUnicastV6.check(ip, "ipv6") && !refusedV6.check(ip, "ipv6");
    default:
      return false;
  }
};

/** Names that never leave the machine or the private network (RFC 6761, RFC 6762, RFC 8375, cloud internal DNS). */
const PRIVATE_NAME_SUFFIXES = ["localhost", "local", "internal", "home.arpa"] as const;

const isPrivateName = (host: string): boolean =>
  PRIVATE_NAME_SUFFIXES.some((suffix) => host === suffix || host.endsWith(`.${suffix}`));

/** url.hostname without the IPv6 brackets and without a trailing root dot ("localhost." is localhost). */
export const bareHost = (url: URL): string => {
  const host = url.hostname;
  if (host.startsWith("[") && host.endsWith("]")) return host.slice(1, -1);
  return host.replace(/\.+$/, "");
};

/**
 * Syntactic check, without DNS. The WHATWG parser has already turned every IPv4 spelling
 * (2130706433, 0x7f.1, 0177.0.0.1, 127.1, percent-encoded digits…) into dotted decimal and every
 * IPv6 literal into its compressed form, so the literal is judged on `url.hostname`.
 */
const LINK_LOCAL = new BlockList();
LINK_LOCAL.addSubnet("169.254.0.0", 16, "ipv4");
LINK_LOCAL.addSubnet("fe80::", 10, "ipv6");

export const checkCallbackUrl = (raw: string, options: { allowPrivate: boolean }): CallbackUrlVerdict => {
  if (raw.length > MAX_CALLBACK_URL_LENGTH) {
    return { ok: false, reason: `callback_url is longer than ${MAX_CALLBACK_URL_LENGTH} characters` };
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "callback_url is not an absolute URL" };
  }
  if (url.href.length > MAX_CALLBACK_URL_LENGTH) {
    return { ok: false, reason: `callback_url is longer than ${MAX_CALLBACK_URL_LENGTH} characters` };
  }

  const schemes = options.allowPrivate ? ["https:", "http:"] : ["https:"];
  if (!schemes.includes(url.protocol)) {
    return {
      ok: false,
      reason: options.allowPrivate ? "callback_url must use http or https" : "callback_url must use https",
    };
  }
  if (url.username !== "" || url.password !== "") {
    return { ok: false, reason: "callback_url must not contain credentials" };
  }
  // WHATWG drops a default port, so an explicit :443 on https leaves url.port empty.
  if (!options.allowPrivate && url.port !== "") {
    return { ok: false, reason: "callback_url must use port 443" };
  }

  const host = bareHost(url);
  if (host === "") return { ok: false, reason: "callback_url has no host" };
  // Even a local demo never calls link-local space: that is where cloud metadata services live.
  if (isIP(host) !== 0 && LINK_LOCAL.check(host, isIP(host) === 6 ? "ipv6" : "ipv4")) {
    return { ok: false, reason: "callback_url host is a link-local (metadata) address" };
  }
  if (options.allowPrivate) return { ok: true, url };

  if (isIP(host) !== 0) {
    return isPublicAddress(host)
      ? { ok: true, url }
      : { ok: false, reason: "callback_url host is not a public IP address" };
  }
  if (isPrivateName(host)) {
    return { ok: false, reason: "callback_url host is a local or internal name" };
  }
  if (!host.includes(".")) {
    // Single-label names are completed by resolver search domains, i.e. they are internal names.
    return { ok: false, reason: "callback_url host must be a fully qualified domain name" };
  }
  return { ok: true, url };
};

const defaultLookup: CallbackLookup = (host) => dnsLookup(host, { all: true });

const DEFAULT_RESOLVE_TIMEOUT_MS = 5_000;

/**
 * DNS check on order create: the host must resolve, and to public addresses only (every one of
 * them — a resolver may hand out any). An IP literal is judged as is, without DNS. With
 * allowPrivate there is nothing to judge, so no lookup is made.
 * This is advisory against DNS rebinding; the sender judges the dialled address again.
 */
export const resolveCallbackHost = async (
  url: URL,
  options: { allowPrivate: boolean; lookup?: CallbackLookup; timeoutMs?: number },
): Promise<CallbackUrlVerdict> => {
  if (options.allowPrivate) return { ok: true, url };
  const host = bareHost(url);
  if (isIP(host) !== 0) {
    return isPublicAddress(host)
      ? { ok: true, url }
      : { ok: false, reason: "callback_url host is not a public IP address" };
  }

  const lookup = options.lookup ?? defaultLookup;
  const timeoutMs = options.timeoutMs ?? DEFAULT_RESOLVE_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  let addresses: { address: string; family: number }[];
  try {
    const result = await Promise.race([lookup(host), timeout]);
    if (result === "timeout") return { ok: false, reason: "callback_url host could not be resolved in time" };
    addresses = result;
  } catch {
    return { ok: false, reason: "callback_url host does not resolve" };
  } finally {
    clearTimeout(timer);
  }

  if (addresses.length === 0) return { ok: false, reason: "callback_url host does not resolve" };
  if (!addresses.every(({ address }) => isPublicAddress(address))) {
    return { ok: false, reason: "callback_url host resolves to a non-public address" };
  }
  return { ok: true, url };
};
