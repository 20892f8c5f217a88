import { codes } from "currency-codes";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { earliestBookableDate, latestBookableDate, MAX_DAYS_AHEAD, SearchRequest } from "../../functions/api/schemas";
import { isKnownCurrency } from "../../functions/domain/money";

const DAY_MS = 86_400_000;
/** A fixed "now": 2031-03-10T08:00:00Z (early enough that UTC-12 is still on 2031-03-09). */
const NOW = Date.UTC(2031, 2, 10, 8, 0, 0);

type Raw = Record<string, unknown>;

const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const addDays = (iso: string, days: number): string => isoDay(Date.parse(`${iso}T00:00:00Z`) + days * DAY_MS);
/** The calendar date in an IANA zone, computed by ICU, independently of the schema's arithmetic. */
const dateIn = (timeZone: string, ms: number): string => {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(ms);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")}`;
};
const todayUtc = (): string => isoDay(Date.now());

const baseRequest = (): Raw => ({
  origin: "LHR",
  destination: "JFK",
  departure_date: addDays(todayUtc(), 30),
  passengers: { adults: 1 },
});

const issuesOf = (input: unknown): { path: string; code: string; message: string }[] => {
  const result = SearchRequest.safeParse(input);
  if (result.success) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return result.error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    code: issue.code,
    message: issue.message,
  }));
};

/** Rejected, with an issue at exactly `path`, and nothing outside the top-level field of `path`. */
const expectRejectedAt = (input: unknown, path: string): void => {
  const issues = issuesOf(input);
  expect(issues.map((i) => i.path)).toContain(path);
  const top = path.split(".")[0] ?? "";
  for (const issue of issues) expect(issue.path.split(".")[0]).toBe(top);
};

const withPassengers = (passengers: Raw): Raw => ({
  ...baseRequest(),
  passengers,
});

// ---- arbitraries -------------------------------------------------------------------------

const iata = fc.stringMatching(/^[A-Z]{3}$/);
const routeArb = fc.tuple(iata, iata).filter(([o, d]) => o !== d);
const passengersArb = fc.integer({ min: 1, max: 9 }).chain((adults) =>
  fc.record(
    {
      adults: fc.constant(adults),
      children: fc.integer({ min: 0, max: 9 - adults }),
      infants: fc.integer({ min: 0, max: adults }),
    },
    { requiredKeys: ["adults"] },
  ),
);
const cabinArb = fc.constantFrom("economy", "premium_economy", "business", "first");
// Ticketable ISO 4217 currencies: the list minus metals, bond units and test codes.
const knownCurrencies = codes().filter((code) => isKnownCurrency(code));
const currencyArb = fc.constantFrom(...knownCurrencies);

/** A valid request whose dates are relative to the current (possibly faked) clock. */
const validRequestArb = fc
  .record({
    route: routeArb,
    departOffset: fc.integer({ min: 0, max: MAX_DAYS_AHEAD }),
    stay: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
    passengers: passengersArb,
    cabin: fc.option(cabinArb, { nil: undefined }),
    currency: fc.option(currencyArb, { nil: undefined }),
  })
  .map(({ route: [origin, destination], departOffset, stay, passengers, cabin, currency }) => ({
    origin,
    destination,
    departOffset,
    stay,
    passengers,
    cabin,
    currency,
  }));

type ValidSpec = typeof validRequestArb extends fc.Arbitrary<infer T> ? T : never;

const buildRequest = (spec: ValidSpec): Raw => {
  const departure = addDays(todayUtc(), spec.departOffset);
  const request: Raw = {
    origin: spec.origin,
    destination: spec.destination,
    departure_date: departure,
    passengers: spec.passengers,
  };
  // The return is sellable too: it lands at most MAX_DAYS_AHEAD days out.
  if (spec.stay !== undefined)
    request.return_date = addDays(departure, Math.min(spec.stay, MAX_DAYS_AHEAD - spec.departOffset));
  if (spec.cabin !== undefined) request.cabin = spec.cabin;
  if (spec.currency !== undefined) request.currency = spec.currency;
  return request;
};

/** Any instant between 2000 and 2100. */
const instantArb = fc.integer({
  min: Date.UTC(2000, 0, 1),
  max: Date.UTC(2100, 0, 1),
});

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW);
});

afterEach(() => {
  vi.useRealTimers();
});

// ---- valid requests ----------------------------------------------------------------------

describe("SearchRequest: valid requests", () => {
  test("a minimal request passes with defaults children 0, infants 0, cabin economy, no currency", () => {
    const result = SearchRequest.safeParse({
      origin: "LHR",
      destination: "JFK",
      departure_date: "2031-04-01",
      passengers: { adults: 2 },
    });
    expect(result.success).toBe(true);
    expect(result.data).toEqual({
      origin: "LHR",
      destination: "JFK",
      departure_date: "2031-04-01",
      passengers: { adults: 2, children: 0, infants: 0 },
      cabin: "economy",
    });
  });

  test("a full request passes unchanged", () => {
    const input = {
      origin: "CDG",
      destination: "NRT",
      departure_date: "2031-04-01",
      return_date: "2031-04-01", // same-day return is allowed
      passengers: { adults: 2, children: 7, infants: 2 },
      cabin: "business",
      currency: "JPY",
    };
    const result = SearchRequest.safeParse(input);
    expect(result.success).toBe(true);
    expect(result.data).toEqual(input);
  });

  test("any generated valid request passes and keeps its values, at any instant of any day", () => {
    fc.assert(
      fc.property(instantArb, validRequestArb, (now, spec) => {
        vi.setSystemTime(now);
        const input = buildRequest(spec);
        const result = SearchRequest.safeParse(input);
        if (!result.success) throw new Error(`rejected ${JSON.stringify(input)}: ${result.error.message}`);
        expect(result.data.origin).toBe(spec.origin);
        expect(result.data.departure_date).toBe(input.departure_date);
        expect(result.data.return_date).toBe(input.return_date);
        expect(result.data.passengers).toEqual({
          children: 0,
          infants: 0,
          ...spec.passengers,
        });
        expect(result.data.cabin).toBe(spec.cabin ?? "economy");
        expect(result.data.currency).toBe(spec.currency);
      }),
      { numRuns: 200 },
    );
  });
});

// ---- dates -------------------------------------------------------------------------------

describe("bookable dates", () => {
  test("earliestBookableDate is today's date in UTC-12 (Etc/GMT+12), for any instant", () => {
    fc.assert(
      fc.property(instantArb, (now) => {
        expect(earliestBookableDate(now)).toBe(dateIn("Etc/GMT+12", now));
      }),
    );
  });

  test("latestBookableDate is today's date in UTC+14 (Etc/GMT-14) plus 361 days, for any instant", () => {
    fc.assert(
      fc.property(instantArb, (now) => {
        expect(latestBookableDate(now)).toBe(addDays(dateIn("Etc/GMT-14", now), MAX_DAYS_AHEAD));
      }),
    );
  });

  test("UTC-12 boundary: yesterday (UTC) is bookable until 12:00Z, not from 12:00Z on", () => {
    const request = { ...baseRequest(), departure_date: "2031-03-09" };
    vi.setSystemTime(Date.UTC(2031, 2, 10, 11, 59, 59, 999));
    expect(SearchRequest.safeParse(request).success).toBe(true);
    vi.setSystemTime(Date.UTC(2031, 2, 10, 12, 0, 0, 0));
    expectRejectedAt(request, "departure_date");
    // today (UTC) stays bookable on both sides of the boundary
    expect(SearchRequest.safeParse({ ...request, departure_date: "2031-03-10" }).success).toBe(true);
    vi.setSystemTime(Date.UTC(2031, 2, 10, 23, 59, 59, 999));
    expect(SearchRequest.safeParse({ ...request, departure_date: "2031-03-10" }).success).toBe(true);
  });

  test("UTC+14 boundary: today (UTC) + 362 days becomes bookable at 10:00Z", () => {
    const far = addDays("2031-03-10", MAX_DAYS_AHEAD + 1);
    const request = { ...baseRequest(), departure_date: far };
    vi.setSystemTime(Date.UTC(2031, 2, 10, 9, 59, 59, 999));
    expectRejectedAt(request, "departure_date");
    expect(
      SearchRequest.safeParse({
        ...request,
        departure_date: addDays("2031-03-10", MAX_DAYS_AHEAD),
      }).success,
    ).toBe(true);
    vi.setSystemTime(Date.UTC(2031, 2, 10, 10, 0, 0, 0));
    expect(SearchRequest.safeParse(request).success).toBe(true);
    expectRejectedAt({ ...request, departure_date: addDays(far, 1) }, "departure_date");
  });

  test("a departure before the earliest bookable date is rejected at departure_date", () => {
    fc.assert(
      fc.property(instantArb, fc.integer({ min: 1, max: 3_650 }), (now, daysBefore) => {
        vi.setSystemTime(now);
        const input = {
          ...baseRequest(),
          departure_date: addDays(earliestBookableDate(now), -daysBefore),
        };
        expectRejectedAt(input, "departure_date");
        expect(issuesOf(input).map((i) => i.message)).toContain("is in the past");
      }),
    );
  });

  test("a departure after the latest bookable date (> 361 days ahead) is rejected at departure_date", () => {
    fc.assert(
      fc.property(instantArb, fc.integer({ min: 1, max: 3_650 }), (now, daysAfter) => {
        vi.setSystemTime(now);
        const input = {
          ...baseRequest(),
          departure_date: addDays(latestBookableDate(now), daysAfter),
        };
        expectRejectedAt(input, "departure_date");
      }),
    );
  });

  test("a return before departure is rejected at return_date", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_DAYS_AHEAD }), fc.integer({ min: 1, max: 400 }), (offset, back) => {
        const departure = addDays(todayUtc(), offset);
        expectRejectedAt(
          {
            ...baseRequest(),
            departure_date: departure,
            return_date: addDays(departure, -back),
          },
          "return_date",
        );
      }),
    );
  });

  test.each([
    "2031-02-29",
    "2031-04-31",
    "2031-13-01",
    "2031-00-10",
    "2031-4-1",
    "01-04-2031",
    "2031/04/01",
    "2031-04-01T00:00:00Z",
    "",
  ])("a malformed or impossible date %j is rejected at departure_date and return_date", (date) => {
    expectRejectedAt({ ...baseRequest(), departure_date: date }, "departure_date");
    expectRejectedAt({ ...baseRequest(), departure_date: "2031-04-01", return_date: date }, "return_date");
  });

  test("2032-02-29 (leap day) is accepted", () => {
    expect(
      SearchRequest.safeParse({
        ...baseRequest(),
        departure_date: "2032-02-29",
      }).success,
    ).toBe(true);
  });
});

// ---- airports ----------------------------------------------------------------------------

describe("airport codes", () => {
  const invalidIata = fc
    .oneof(
      fc.stringMatching(/^[A-Za-z]{3}$/).filter((s) => s !== s.toUpperCase()), // some lowercase letter
      fc.stringMatching(/^[A-Z]{2}$/),
      fc.stringMatching(/^[A-Z]{4}$/),
      fc.stringMatching(/^[A-Z0-9]{3}$/).filter((s) => /\d/.test(s)),
      fc.constantFrom("", " LHR", "LHR ", "L-R", "ÄBC"),
    )
    .filter((s) => !/^[A-Z]{3}$/.test(s));

  test("an invalid origin is rejected at origin", () => {
    fc.assert(
      fc.property(invalidIata, (code) => {
        expectRejectedAt({ ...baseRequest(), origin: code }, "origin");
      }),
    );
  });

  test("an invalid destination is rejected at destination", () => {
    fc.assert(
      fc.property(invalidIata, (code) => {
        expectRejectedAt({ ...baseRequest(), destination: code }, "destination");
      }),
    );
  });

  test.each(["lhr", "Lhr", "LH", "LHRX"])("%j is rejected", (code) => {
    expectRejectedAt({ ...baseRequest(), origin: code }, "origin");
  });

  test("the same origin and destination is rejected at destination", () => {
    fc.assert(
      fc.property(iata, (code) => {
        const issues = issuesOf({
          ...baseRequest(),
          origin: code,
          destination: code,
        });
        expect(issues).toEqual([
          {
            path: "destination",
            code: "custom",
            message: "must differ from origin",
          },
        ]);
      }),
    );
  });
});

// ---- passengers --------------------------------------------------------------------------

describe("passengers", () => {
  test.each([0, 10, -1, 100])("adults %i is rejected at passengers.adults", (adults) => {
    expectRejectedAt(withPassengers({ adults }), "passengers.adults");
  });

  test("adults outside 1–9 are rejected at passengers.adults", () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 10 })), (adults) => {
        expectRejectedAt(withPassengers({ adults }), "passengers.adults");
      }),
    );
  });

  test("more than 9 seated passengers (adults + children) are rejected at passengers.children", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 2, max: 9 })
          .chain((adults) => fc.tuple(fc.constant(adults), fc.integer({ min: 10 - adults, max: 8 }))),
        ([adults, children]) => {
          const issues = issuesOf(withPassengers({ adults, children }));
          expect(issues.map((i) => i.path)).toEqual(["passengers.children"]);
        },
      ),
    );
  });

  test("9 seated passengers are fine: 1 adult + 8 children, 9 adults + 9 infants", () => {
    expect(SearchRequest.safeParse(withPassengers({ adults: 1, children: 8 })).success).toBe(true);
    expect(SearchRequest.safeParse(withPassengers({ adults: 9, infants: 9 })).success).toBe(true);
  });

  test("more infants than adults are rejected at passengers.infants", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 8 })
          .chain((adults) => fc.tuple(fc.constant(adults), fc.integer({ min: adults + 1, max: 9 }))),
        ([adults, infants]) => {
          const issues = issuesOf(withPassengers({ adults, infants }));
          expect(issues.map((i) => i.path)).toEqual(["passengers.infants"]);
        },
      ),
    );
  });

  test.each([
    [{ adults: 1, children: -1 }, "passengers.children"],
    [{ adults: 1, infants: -1 }, "passengers.infants"],
    [{ adults: 1.5 }, "passengers.adults"],
    [{ adults: "2" }, "passengers.adults"],
    [{ adults: null }, "passengers.adults"],
    [{ adults: Number.NaN }, "passengers.adults"],
    [{ adults: 1, children: "0" }, "passengers.children"],
    [{ adults: 1, infants: true }, "passengers.infants"],
    [{}, "passengers.adults"],
  ])("%j is rejected at %s", (passengers, path) => {
    expectRejectedAt(withPassengers(passengers), path);
  });
});

// ---- currency, cabin, strictness, types --------------------------------------------------

describe("currency", () => {
  test.each(["XXY", "eur", "EU", "EURO", "€", ""])("%j is rejected at currency", (currency) => {
    expectRejectedAt({ ...baseRequest(), currency }, "currency");
  });

  test("any well-formed but unknown code is rejected at currency", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Z]{3}$/).filter((code) => !knownCurrencies.includes(code)),
        (currency) => {
          expectRejectedAt({ ...baseRequest(), currency }, "currency");
        },
      ),
    );
  });

  test("every known ISO 4217 code is accepted", () => {
    for (const currency of knownCurrencies) {
      expect(SearchRequest.safeParse({ ...baseRequest(), currency }).success).toBe(true);
    }
  });
});

describe("strict objects and wrong types", () => {
  const fieldNameArb = fc
    .string({ minLength: 1, maxLength: 12 })
    .filter(
      (k) =>
        ![
          "origin",
          "destination",
          "departure_date",
          "return_date",
          "passengers",
          "cabin",
          "currency",
          "__proto__",
        ].includes(k),
    );

  test("an unknown top-level field is rejected as unrecognized", () => {
    fc.assert(
      fc.property(fieldNameArb, fc.jsonValue(), (key, value) => {
        const issues = issuesOf({ ...baseRequest(), [key]: value });
        expect(issues).toContainEqual(expect.objectContaining({ path: "", code: "unrecognized_keys" }));
      }),
    );
  });

  test("an unknown field in passengers is rejected at passengers", () => {
    fc.assert(
      fc.property(
        fieldNameArb.filter((k) => !["adults", "children", "infants"].includes(k)),
        fc.jsonValue(),
        (key, value) => {
          const issues = issuesOf(withPassengers({ adults: 1, [key]: value }));
          expect(issues).toContainEqual(
            expect.objectContaining({
              path: "passengers",
              code: "unrecognized_keys",
            }),
          );
        },
      ),
    );
  });

  test.each([
    ["origin", 123],
    ["origin", null],
    ["origin", ["LHR"]],
    ["destination", { code: "JFK" }],
    ["departure_date", 20310401],
    ["departure_date", null],
    ["return_date", null],
    ["return_date", 1],
    ["passengers", 1],
    ["passengers", [1]],
    ["passengers", null],
    ["cabin", "coach"],
    ["cabin", "Economy"],
    ["cabin", 1],
    ["currency", 978],
    ["currency", null],
  ])("%s = %j is rejected at that field", (field, value) => {
    expectRejectedAt({ ...baseRequest(), [field]: value }, field);
  });

  test.each(["origin", "destination", "departure_date", "passengers"])(
    "missing %s is rejected at that field",
    (field) => {
      const request = baseRequest();
      delete request[field];
      expectRejectedAt(request, field);
    },
  );

  test.each([null, undefined, "LHR-JFK", 42, [], true])("a body that is not an object (%j) is rejected", (body) => {
    expect(issuesOf(body).map((i) => i.path)).toEqual([""]);
  });

  test("any value of the wrong type for a string field is rejected at that field", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("origin", "destination", "departure_date", "return_date", "currency", "cabin"),
        fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string()), fc.object()),
        (field, value) => {
          expectRejectedAt({ ...baseRequest(), [field]: value }, field);
        },
      ),
    );
  });
});
