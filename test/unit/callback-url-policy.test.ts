import fc from "fast-check";
import { describe, expect, test, vi } from "vitest";
import {
  type CallbackLookup,
  checkCallbackUrl,
  isPublicAddress,
  resolveCallbackHost,
} from "../../functions/adapters/callbacks/url-policy";

const STRICT = { allowPrivate: false } as const;
const LOCAL = { allowPrivate: true } as const;

/** A fake resolver: names not listed fail like NXDOMAIN. */
const fakeDns =
  (records: Record<string, readonly string[]>): CallbackLookup =>
  async (host) => {
    const found = records[host];
    if (found === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    return found.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };

const DNS = fakeDns({
  "partner.example.com": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
  "rebind-loopback.example.com": ["127.0.0.1"],
  "rebind-private.example.com": ["10.0.0.5"],
  "rebind-metadata.example.com": ["169.254.169.254"],
  "rebind-v6-loopback.example.com": ["::1"],
  "mixed.example.com": ["93.184.216.34", "10.0.0.5"],
  "mixed-v6.example.com": ["2606:2800:220:1:248:1893:25c8:1946", "fd00::7"],
  "mapped.example.com": ["::ffff:127.0.0.1"],
  "cgnat.example.com": ["100.64.0.9"],
  "empty.example.com": [],
});

/** What order create does: syntax first, then DNS. */
const admit = async (raw: string, allowPrivate = false): Promise<boolean> => {
  const syntax = checkCallbackUrl(raw, { allowPrivate });
  if (!syntax.ok) return false;
  const resolved = await resolveCallbackHost(syntax.url, { allowPrivate, lookup: DNS });
  return resolved.ok;
};

/** Refused without any DNS: the URL alone is enough. */
const SYNTACTIC_HOSTILE: readonly (readonly [string, string])[] = [
  ["loopback", "https://127.0.0.1/hooks"],
  ["loopback, short form", "https://127.1/hooks"],
  ["loopback, decimal", "https://2130706433/hooks"],
  ["loopback, hex", "https://0x7f000001/hooks"],
  ["loopback, dotted hex", "https://0x7f.1/hooks"],
  ["loopback, octal", "https://0177.0.0.1/hooks"],
  ["loopback, percent-encoded", "https://%31%32%37.0.0.1/hooks"],
  ["loopback, trailing dot", "https://127.0.0.1./hooks"],
  ["loopback, decimal, on http", "http://2130706433/hooks"],
  ["IPv6 loopback", "https://[::1]/hooks"],
  ["IPv6 unspecified", "https://[::]/hooks"],
  ["IPv4-mapped loopback", "https://[::ffff:127.0.0.1]/hooks"],
  ["IPv4-mapped loopback, long form", "https://[0:0:0:0:0:ffff:7f00:1]/hooks"],
  ["IPv4-mapped metadata", "https://[::ffff:a9fe:a9fe]/hooks"],
  ["IPv4-mapped public address", "https://[::ffff:93.184.216.34]/hooks"],
  ["IPv4-compatible loopback", "https://[::127.0.0.1]/hooks"],
  ["NAT64 of loopback", "https://[64:ff9b::7f00:1]/hooks"],
  ["6to4 of loopback", "https://[2002:7f00:1::1]/hooks"],
  ["IPv6 documentation", "https://[2001:db8::1]/hooks"],
  ["IPv6 ULA", "https://[fd00::1]/hooks"],
  ["IPv6 link-local", "https://[fe80::1]/hooks"],
  ["IPv6 link-local with zone", "https://[fe80::1%25eth0]/hooks"],
  ["IPv6 multicast", "https://[ff02::1]/hooks"],
  ["private 10/8", "https://10.0.0.1/hooks"],
  ["private 172.16/12", "https://172.16.5.4/hooks"],
  ["private 172.16/12, top", "https://172.31.255.255/hooks"],
  ["private 192.168/16", "https://192.168.1.1/hooks"],
  ["CGNAT", "https://100.64.1.1/hooks"],
  ["cloud metadata", "https://169.254.169.254/latest/meta-data/"],
  ["cloud metadata, decimal", "https://2852039166/latest/meta-data/"],
  ["this network", "https://0.0.0.0/hooks"],
  ["benchmarking", "https://198.18.0.1/hooks"],
  ["TEST-NET-3", "https://203.0.113.7/hooks"],
  ["multicast", "https://224.0.0.1/hooks"],
  ["broadcast", "https://255.255.255.255/hooks"],
  ["plain http", "http://partner.example.com/hooks"],
  ["port 8443", "https://partner.example.com:8443/hooks"],
  ["port 80 on https", "https://partner.example.com:80/hooks"],
  ["credentials", "https://user:pass@partner.example.com/hooks"],
  ["user only", "https://user@partner.example.com/hooks"],
  ["credentials hiding the host", "https://partner.example.com@127.0.0.1/hooks"],
  ["localhost", "https://localhost/hooks"],
  ["localhost, upper case with root dot", "https://LOCALHOST./hooks"],
  ["subdomain of localhost", "https://foo.localhost/hooks"],
  ["mDNS name", "https://printer.local/hooks"],
  ["GCP metadata name", "https://metadata.google.internal/computeMetadata/v1/"],
  ["home network name", "https://router.home.arpa/hooks"],
  ["single-label name", "https://intranet/hooks"],
  ["ftp", "ftp://partner.example.com/hooks"],
  ["javascript", "javascript:alert(document.domain)"],
  ["file", "file:///etc/passwd"],
  ["data", "data:text/plain,hello"],
  ["not a URL", "partner.example.com/hooks"],
  ["empty", ""],
  ["too long", `https://partner.example.com/${"a".repeat(2_048)}`],
];

/** Syntactically fine; refused once the name is resolved. */
const DNS_HOSTILE: readonly (readonly [string, string])[] = [
  ["name → 127.0.0.1", "https://rebind-loopback.example.com/hooks"],
  ["name → 10.0.0.5", "https://rebind-private.example.com/hooks"],
  ["name → 169.254.169.254", "https://rebind-metadata.example.com/hooks"],
  ["name → ::1", "https://rebind-v6-loopback.example.com/hooks"],
  ["name → public + private", "https://mixed.example.com/hooks"],
  ["name → public + ULA (IPv6)", "https://mixed-v6.example.com/hooks"],
  ["name → IPv4-mapped loopback", "https://mapped.example.com/hooks"],
  ["name → CGNAT", "https://cgnat.example.com/hooks"],
  ["name → no addresses", "https://empty.example.com/hooks"],
  ["name that does not resolve", "https://nxdomain.example.com/hooks"],
];

describe("hostile callback URLs", () => {
  test("the corpus is big enough to mean something", () => {
    expect(SYNTACTIC_HOSTILE.length + DNS_HOSTILE.length).toBeGreaterThanOrEqual(25);
  });

  test.each(SYNTACTIC_HOSTILE)("%s: %s is refused by the syntax check alone", (_why, raw) => {
    const verdict = checkCallbackUrl(raw, STRICT);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason).toMatch(/callback_url/);
  });

  test.each(DNS_HOSTILE)("%s: %s passes the syntax check but is refused after DNS", async (_why, raw) => {
    const syntax = checkCallbackUrl(raw, STRICT);
    expect(syntax.ok).toBe(true);
    if (!syntax.ok) return;
    const verdict = await resolveCallbackHost(syntax.url, { allowPrivate: false, lookup: DNS });
    expect(verdict.ok).toBe(false);
  });

  test.each([...SYNTACTIC_HOSTILE, ...DNS_HOSTILE])("%s: %s is never admitted on order create", async (_why, raw) => {
    expect(await admit(raw)).toBe(false);
  });
});

describe("acceptable callback URLs", () => {
  test.each([
    "https://partner.example.com/hooks",
    "https://partner.example.com:443/hooks", // explicit default port
    "https://PARTNER.example.com/hooks?tenant=a#frag",
    "https://93.184.216.34/x",
    "https://[2606:4700:4700::1111]/x",
  ])("%s is admitted", async (raw) => {
    expect(await admit(raw)).toBe(true);
  });

  test("the verdict carries the normalised URL", () => {
    const verdict = checkCallbackUrl("https://Partner.Example.com:443/hooks", STRICT);
    expect(verdict).toEqual({ ok: true, url: new URL("https://partner.example.com/hooks") });
  });

  test("an IP literal is judged without DNS", async () => {
    const lookup = vi.fn(DNS);
    const verdict = await resolveCallbackHost(new URL("https://93.184.216.34/x"), { allowPrivate: false, lookup });
    expect(verdict.ok).toBe(true);
    expect(lookup).not.toHaveBeenCalled();
    const refused = await resolveCallbackHost(new URL("https://[::1]/x"), { allowPrivate: false, lookup });
    expect(refused.ok).toBe(false);
    expect(lookup).not.toHaveBeenCalled();
  });

  test("a resolver that hangs is a refusal, not a hang", async () => {
    const hanging: CallbackLookup = () => new Promise(() => {});
    const verdict = await resolveCallbackHost(new URL("https://slow.example.com/x"), {
      allowPrivate: false,
      lookup: hanging,
      timeoutMs: 50,
    });
    expect(verdict).toEqual({ ok: false, reason: expect.stringMatching(/in time/) });
  });
});

describe("CALLBACK_ALLOW_PRIVATE=true (local use)", () => {
  test.each(["http://127.0.0.1:8080/x", "http://localhost:3000/hooks", "https://[::1]:8443/x", "http://10.0.0.5/x"])(
    "%s is admitted",
    async (raw) => {
      expect(await admit(raw, true)).toBe(true);
    },
  );

  test("the same URL is refused without it", () => {
    expect(checkCallbackUrl("http://127.0.0.1:8080/x", STRICT).ok).toBe(false);
  });

  test.each([
    "ftp://127.0.0.1/x",
    "javascript:alert(1)",
    "http://user:pass@127.0.0.1:8080/x",
    `http://127.0.0.1/${"a".repeat(2_048)}`,
  ])("%s is still refused", (raw) => {
    expect(checkCallbackUrl(raw, LOCAL).ok).toBe(false);
  });

  test("no DNS check is made", async () => {
    const lookup = vi.fn(DNS);
    const verdict = await resolveCallbackHost(new URL("http://rebind-loopback.example.com/x"), {
      allowPrivate: true,
      lookup,
    });
    expect(verdict.ok).toBe(true);
    expect(lookup).not.toHaveBeenCalled();
  });
});

describe("isPublicAddress", () => {
  test.each([
    "93.184.216.34",
    "8.8.8.8",
    "1.1.1.1",
    "11.0.0.1",
    "100.63.255.255", // just below CGNAT
    "100.128.0.0", // just above CGNAT
    "172.15.255.255", // just below 172.16/12
    "172.32.0.0", // just above 172.16/12
    "198.17.255.255",
    "198.20.0.0",
    "223.255.255.255",
    "2606:4700:4700::1111",
    "2a00:1450:4001:82b::200e",
    "2001:4860:4860::8888",
  ])("%s is public", (ip) => {
    expect(isPublicAddress(ip)).toBe(true);
  });

  test.each([
    "0.0.0.0",
    "0.1.2.3",
    "10.255.255.255",
    "100.64.0.0",
    "100.127.255.255",
    "127.0.0.1",
    "127.255.255.254",
    "169.254.169.254",
    "172.16.0.0",
    "172.31.255.255",
    "192.0.0.8",
    "192.0.2.1",
    "192.168.0.1",
    "198.18.0.0",
    "198.19.255.255",
    "198.51.100.1",
    "203.0.113.1",
    "224.0.0.251",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "::",
    "::1",
    "::ffff:127.0.0.1",
    "::ffff:8.8.8.8", // mapped forms are refused whatever they embed
    "::8.8.8.8", // IPv4-compatible
    "64:ff9b::808:808",
    "100::1",
    "fc00::1",
    "fdff:ffff::1",
    "fe80::1",
    "febf::1",
    "fec0::1",
    "ff02::1",
    "2001::1", // Teredo
    "2001:db8::1",
    "2002:808:808::1", // 6to4
    "3fff::1",
    "fe80::1%eth0",
    "[::1]",
    "localhost",
    "1.2.3",
    "",
  ])("%s is not public", (ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });

  const octet = fc.integer({ min: 0, max: 255 });
  const ipv4 = fc.tuple(octet, octet, octet, octet).map((parts) => parts.join("."));

  test("every address of the private blocks is refused", () => {
    fc.assert(
      fc.property(octet, octet, octet, (b, c, d) => {
        expect(isPublicAddress(`10.${b}.${c}.${d}`)).toBe(false);
        expect(isPublicAddress(`127.${b}.${c}.${d}`)).toBe(false);
        expect(isPublicAddress(`192.168.${c}.${d}`)).toBe(false);
        expect(isPublicAddress(`172.${16 + (b % 16)}.${c}.${d}`)).toBe(false);
        expect(isPublicAddress(`100.${64 + (b % 64)}.${c}.${d}`)).toBe(false);
      }),
    );
  });

  test("no IPv4 address is public in its IPv4-mapped IPv6 form", () => {
    fc.assert(
      fc.property(ipv4, (ip) => {
        expect(isPublicAddress(`::ffff:${ip}`)).toBe(false);
      }),
    );
  });
});

describe("link-local space stays refused even for local demos", () => {
  test.each(["http://169.254.169.254/latest/meta-data/", "http://[fe80::1]:8080/x", "https://169.254.0.1/x"])(
    "%s with allowPrivate",
    (raw) => {
      const verdict = checkCallbackUrl(raw, { allowPrivate: true });
      expect(verdict.ok).toBe(false);
    },
  );
});
