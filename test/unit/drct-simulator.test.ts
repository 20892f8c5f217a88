/**
 * The DRCT simulator as an agency developer relies on it: every search, whatever the route and
 * the day, answers each kind of fare; the same search answers the same offers; the scenario
 * airports answer their fixed situations.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { FARE_FAMILIES, flightsFor, SCENARIO_AIRPORTS, type SimSearch } from "../../lib/drct-simulator/offers";
import { type RunningSimulator, startDrctSimulator } from "../../lib/drct-simulator/simulator";

interface WireOffer {
  offer_id: string;
  segments: { origin: string; destination: string; departs_at: string }[];
  price: { currency: string; base: number; taxes: number; fees: number };
  fare_rules: { refundable: boolean; changeable: boolean; cancel_penalty?: number };
}

const DAY_MS = 86_400_000;
const day = (from: number, days: number) => new Date(from + days * DAY_MS).toISOString().slice(0, 10);

let sim: RunningSimulator;
beforeAll(async () => {
  // No pacing: this file checks inventory, not the rate contract.
  sim = await startDrctSimulator({ searchIntervalMs: 0 });
});
afterAll(async () => {
  await sim.close();
});

const drct = async <T>(path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const response = await fetch(`${sim.url}${path}`, {
    method: "POST",
    headers: {
      authorization: "Bearer drct-local-token",
      accept: "application/json",
      "x-correlation-id": "test",
      "x-avf-tenant-id": "test",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
};

const search = (overrides: Partial<SimSearch> = {}) =>
  drct<{ offers: WireOffer[] }>("/v1/offers/search", {
    origin: "LHR",
    destination: "JFK",
    departure_date: day(Date.now(), 30),
    passengers: { adults: 1, children: 0, infants: 0 },
    cabin: "economy",
    currency: "EUR",
    ...overrides,
  });

const kinds = (offers: readonly WireOffer[]) => ({
  refundable: offers.some((offer) => offer.fare_rules.refundable),
  nonRefundable: offers.some((offer) => !offer.fare_rules.refundable),
  changeable: offers.some((offer) => offer.fare_rules.changeable),
});

describe("every search answers each kind of fare, on any day", () => {
  // 20 route/date pairs, from tomorrow to more than a year ahead, one-way and return.
  const ROUTES = ["JFK", "LIS", "NRT", "SYD", "GRU", "CPT", "DXB", "YVR", "MEX", "ICN"];
  const pairs = Array.from({ length: 20 }, (_, index) => ({
    destination: ROUTES[index % ROUTES.length] ?? "JFK",
    days: [1, 2, 3, 17, 45, 100, 200, 333, 365, 400][index % 10] ?? 1,
    roundTrip: index >= 10,
  }));

  test.each(pairs)("LHR→$destination in $days days (return: $roundTrip)", async ({ destination, days, roundTrip }) => {
    const departure = day(Date.now(), days);
    const response = await search({
      destination,
      departure_date: departure,
      ...(roundTrip ? { return_date: day(Date.now(), days + 7) } : {}),
    });
    expect(response.status).toBe(200);
    expect(response.body.offers.length).toBeGreaterThanOrEqual(3);
    expect(kinds(response.body.offers)).toEqual({ refundable: true, nonRefundable: true, changeable: true });
    response.body.offers.forEach((offer, index) => {
      const family = FARE_FAMILIES[index % FARE_FAMILIES.length];
      expect(offer.fare_rules).toMatchObject({ refundable: family?.refundable, changeable: family?.changeable });
      expect(offer.fare_rules.cancel_penalty !== undefined).toBe(offer.fare_rules.refundable);
    });
  });

  test("property: any route, date, cabin, passengers and currency", () => {
    const iata = fc
      .stringMatching(/^[A-Z]{3}$/)
      .filter((code) => !Object.values(SCENARIO_AIRPORTS).includes(code as never));
    fc.assert(
      fc.property(
        iata,
        iata,
        fc.integer({ min: 0, max: 3_000 }),
        fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
        fc.constantFrom("economy", "premium_economy", "business", "first"),
        fc.integer({ min: 1, max: 9 }),
        fc.constantFrom("EUR", "JPY", "KWD", "USD"),
        (origin, destination, offset, stay, cabin, adults, currency) => {
          const base = Date.UTC(2026, 0, 1);
          const flights = flightsFor({
            origin,
            destination,
            departure_date: day(base, offset),
            return_date: stay === undefined ? undefined : day(base, offset + stay),
            passengers: { adults, children: 0, infants: 0 },
            cabin,
            currency,
          });
          expect(flights.length).toBeGreaterThanOrEqual(3);
          expect(flights.some((flight) => flight.refundable)).toBe(true);
          expect(flights.some((flight) => !flight.refundable)).toBe(true);
          expect(flights.some((flight) => flight.changeable)).toBe(true);
        },
      ),
    );
  });
});

describe("the same search answers the same offers", () => {
  test("ids, prices, times and fare rules repeat; another date differs", async () => {
    const departure = day(Date.now(), 60);
    const first = await search({ destination: "BOS", departure_date: departure });
    const again = await search({ destination: "BOS", departure_date: departure });
    const strip = (offers: WireOffer[]) =>
      offers.map(({ offer_id, segments, price, fare_rules }) => ({ offer_id, segments, price, fare_rules }));
    expect(strip(again.body.offers)).toEqual(strip(first.body.offers));
    const other = await search({ destination: "BOS", departure_date: day(Date.now(), 61) });
    expect(other.body.offers.map((offer) => offer.offer_id)).not.toEqual(
      first.body.offers.map((offer) => offer.offer_id),
    );
  });
});

describe("scenario airports", () => {
  test(`${SCENARIO_AIRPORTS.noOffers}: no offers, to or from it`, async () => {
    expect((await search({ destination: SCENARIO_AIRPORTS.noOffers })).body.offers).toEqual([]);
    expect((await search({ origin: SCENARIO_AIRPORTS.noOffers })).body.offers).toEqual([]);
  });

  test(`${SCENARIO_AIRPORTS.priceMovesOnce}: the first price confirmation moves the base up by 10.00, then it holds`, async () => {
    const found = await search({ destination: SCENARIO_AIRPORTS.priceMovesOnce, departure_date: day(Date.now(), 90) });
    const offer = found.body.offers[0] as WireOffer;
    const first = await drct<WireOffer>(`/v1/offers/${offer.offer_id}/price`);
    expect(first.body.price).toEqual({ ...offer.price, base: offer.price.base + 1_000 });
    const second = await drct<WireOffer>(`/v1/offers/${offer.offer_id}/price`);
    expect(second.body.price).toEqual(first.body.price);
  });

  test("the price step follows the currency's minor units (JPY has none)", async () => {
    const found = await search({
      destination: SCENARIO_AIRPORTS.priceMovesOnce,
      departure_date: day(Date.now(), 91),
      currency: "JPY",
    });
    const offer = found.body.offers[0] as WireOffer;
    const priced = await drct<WireOffer>(`/v1/offers/${offer.offer_id}/price`);
    expect(priced.body.price.base).toBe(offer.price.base + 10);
  });
});
