import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { maskSecrets, REDACTED } from "../../functions/shared/masking";

const stringify = (value: unknown): string => JSON.stringify(value, maskSecrets);
const roundTrip = (value: unknown): unknown => JSON.parse(stringify(value));

const SECRET_KEYS = ["authorization", "token", "api_key", "x-api-key", "secret", "password"];
const PERSONAL_KEYS = ["given_name", "family_name", "birth_date", "email", "phone", "number", "document", "passport"];
const SENSITIVE = new Set([...SECRET_KEYS, ...PERSONAL_KEYS]);

/** Random upper/lower casing of a key, e.g. "AuThOrization". */
const casedKey = (keys: readonly string[]): fc.Arbitrary<string> =>
  fc
    .tuple(fc.constantFrom(...keys), fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }))
    .map(([key, upper]) => [...key].map((ch, i) => (upper[i] ? ch.toUpperCase() : ch)).join(""));

/** A secret that cannot occur by accident in the rest of the output. */
const secretArb = fc.stringMatching(/^[A-Za-z0-9]{12,40}$/).map((s) => `sk_${s}`);

/** Wraps a value at a random depth inside objects and arrays. */
const nest = (inner: Record<string, unknown>, path: readonly (string | number)[]): unknown =>
  path.reduceRight<unknown>((acc, step) => (typeof step === "number" ? [acc] : { [step]: acc, other: "kept" }), inner);

const pathArb = fc.array(fc.oneof(fc.constantFrom("headers", "request", "meta", "payload"), fc.constant(0)), {
  maxLength: 4,
});

describe("credentials never appear", () => {
  test("authorization and token values (any casing, any depth) never appear in the output", () => {
    fc.assert(
      fc.property(casedKey(["authorization", "token"]), secretArb, pathArb, (key, secret, path) => {
        const out = stringify(nest({ [key]: secret, method: "POST" }, path));
        expect(out).not.toContain(secret);
        expect(out).toContain(`"${key}":"${REDACTED}"`);
        expect(out).toContain('"method":"POST"');
      }),
    );
  });

  test("every credential key is redacted whatever its value's type", () => {
    fc.assert(
      fc.property(
        casedKey(SECRET_KEYS),
        fc.oneof(
          secretArb,
          secretArb.map((s) => ({ value: s })),
          secretArb.map((s) => [s]),
        ),
        (key, value) => {
          const out = roundTrip({ [key]: value });
          expect(out).toEqual({ [key]: REDACTED });
        },
      ),
    );
  });

  test("a typical logged request keeps no bearer token", () => {
    const out = stringify({
      message: "calling DRCT",
      request: {
        headers: {
          Authorization: "Bearer eyJhbGciOi.secret.sig",
          "x-api-key": "local-agency-a-key",
        },
      },
      token: "tok_live_123456",
    });
    expect(out).not.toContain("eyJhbGciOi");
    expect(out).not.toContain("local-agency-a-key");
    expect(out).not.toContain("tok_live_123456");
    expect(JSON.parse(out)).toEqual({
      message: "calling DRCT",
      request: { headers: { Authorization: REDACTED, "x-api-key": REDACTED } },
      token: REDACTED,
    });
  });
});

describe("personal data is masked", () => {
  test("a logged order passenger is masked field by field", () => {
    const out = roundTrip({
      order_id: "ord_1",
      passengers: [
        {
          type: "adult",
          given_name: "Alexandra",
          family_name: "Smith",
          birth_date: "1990-05-17",
          gender: "f",
          document: {
            type: "passport",
            number: "X12345678",
            issuing_country: "DE",
          },
        },
      ],
      contact: { email: "jane.doe@example.com", phone: "+491511234567" },
    });
    expect(out).toEqual({
      order_id: "ord_1",
      passengers: [
        {
          type: "adult",
          given_name: "A***a",
          family_name: "S***h",
          birth_date: "1***7",
          gender: "f",
          document: REDACTED,
        },
      ],
      contact: { email: "j***m", phone: "+***7" },
    });
  });

  test("any string under a personal key keeps only its first and last character", () => {
    fc.assert(
      fc.property(
        casedKey(["given_name", "family_name", "email", "number", "phone", "birth_date"]),
        fc.stringMatching(/^[A-Za-z0-9@.+-]{3,40}$/),
        (key, value) => {
          expect(roundTrip({ [key]: value })).toEqual({
            [key]: `${value[0]}***${value[value.length - 1]}`,
          });
          const middle = value.slice(1, -1);
          // letters could legitimately occur in the key itself; anything else must be gone
          if (middle.length >= 3 && !/[A-Za-z]/.test(middle)) expect(stringify({ [key]: value })).not.toContain(middle);
        },
      ),
    );
  });

  test("strings of up to 2 characters are fully masked", () => {
    expect(roundTrip({ given_name: "Al", family_name: "X", email: "" })).toEqual({
      given_name: "**",
      family_name: "**",
      email: "**",
    });
  });

  test("document (any casing, any content) is masked entirely, including its number", () => {
    fc.assert(
      fc.property(casedKey(["document", "passport"]), secretArb, (key, documentNumber) => {
        const out = stringify({
          passenger: {
            [key]: {
              type: "passport",
              number: documentNumber,
              expires_on: "2035-01-01",
            },
          },
        });
        expect(out).not.toContain(documentNumber);
        expect(JSON.parse(out)).toEqual({ passenger: { [key]: REDACTED } });
      }),
    );
  });

  test("a Date under birth_date is masked too (toJSON runs before the replacer)", () => {
    expect(roundTrip({ birth_date: new Date(Date.UTC(1990, 4, 17)) })).toEqual({
      birth_date: "1***Z",
    });
  });

  test("null personal fields stay null (nothing to hide)", () => {
    expect(roundTrip({ given_name: null, email: null })).toEqual({
      given_name: null,
      email: null,
    });
  });

  // BUG: maskValue only masks strings and objects; a personal field holding a number is logged
  // in clear, e.g. a document `number` or a `phone` that arrived (or was logged) as a JSON number.
  test("numeric values under personal keys (number, phone) are masked", () => {
    const out = stringify({ number: 123456789, phone: 491511234567 });
    expect(out).not.toContain("123456789");
    expect(out).not.toContain("491511234567");
  });
});

describe("other fields are untouched", () => {
  const hasSensitiveKey = (value: unknown): boolean => {
    if (Array.isArray(value)) return value.some(hasSensitiveKey);
    if (value !== null && typeof value === "object") {
      return Object.entries(value).some(([k, v]) => SENSITIVE.has(k.toLowerCase()) || hasSensitiveKey(v));
    }
    return false;
  };

  test("any JSON value without sensitive keys serializes exactly as without the replacer", () => {
    fc.assert(
      fc.property(
        fc.jsonValue().filter((v) => !hasSensitiveKey(v)),
        (value) => {
          expect(stringify(value)).toBe(JSON.stringify(value));
        },
      ),
      { numRuns: 200 },
    );
  });

  test("non-sensitive siblings of masked fields are kept as they are", () => {
    const input = {
      flight_number: "LH1234",
      phone_country: "DE",
      tokens_used: 3,
      document_type: "passport",
      price: { currency: "EUR", total: 12_999 },
      retryable: false,
      tags: ["a", null, 1.5],
      given_name: "Maria",
    };
    expect(roundTrip(input)).toEqual({ ...input, given_name: "M***a" });
  });

  test("the replacer used directly leaves the root and unknown keys alone", () => {
    const root = { a: 1 };
    expect(maskSecrets("", root)).toBe(root);
    expect(maskSecrets("status", "BOOKED")).toBe("BOOKED");
    expect(maskSecrets("count", 7)).toBe(7);
  });
});
