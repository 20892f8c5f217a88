import { createHash } from "node:crypto";
import { code as iso4217 } from "currency-codes";

/**
 * Deterministic flight inventory: the same route, date, cabin and passengers always give the
 * same flights and base prices, so tests and benchmarks can reason about what DRCT answers.
 * Fare rules follow the offer's position (FARE_FAMILIES), never the date, so every search
 * answers a refundable, a non-refundable and a changeable offer on any day it runs.
 */
export interface SimSearch {
  readonly origin: string;
  readonly destination: string;
  readonly departure_date: string;
  readonly return_date?: string;
  readonly passengers: { readonly adults: number; readonly children: number; readonly infants: number };
  readonly cabin: string;
  readonly currency: string;
}

export interface SimSegment {
  readonly origin: string;
  readonly destination: string;
  readonly departs_at: string;
  readonly arrives_at: string;
  readonly carrier: string;
  readonly flight_number: string;
  /** Another airline flies it (a codeshare): DRCT names it. */
  readonly operating_carrier?: string;
}

export interface SimFlight {
  readonly key: string;
  readonly segments: SimSegment[];
  readonly base: number;
  readonly taxes: number;
  readonly fees: number;
  readonly refundable: boolean;
  readonly changeable: boolean;
  readonly cancelPenalty?: number;
}

/** The fare of the offer at position i is FARE_FAMILIES[i % 3]; a search answers 3–6 offers, so all three. */
export const FARE_FAMILIES = [
  { name: "flex", refundable: true, changeable: true },
  { name: "light", refundable: false, changeable: false },
  { name: "classic", refundable: false, changeable: true },
] as const;

/**
 * Scenario airports (docs/DRCT-API.md §10): a search to or from one of them answers a fixed
 * situation, so an agency developer can reproduce it on any day.
 */
export const SCENARIO_AIRPORTS = {
  /** No flights: the search answers no offers. */
  noOffers: "XXN",
  /** The price moves up once: the first price confirmation of each offer answers base + 10 major units. */
  priceMovesOnce: "XXP",
} as const;

/** How far the "price moves once" scenario moves an offer's base: 10 major units of its currency. */
export const scenarioPriceStep = (currency: string): number => 10 * 10 ** minorDigits(currency);

export const touchesAirport = (search: SimSearch, airport: string): boolean =>
  search.origin === airport || search.destination === airport;

const CARRIERS = ["LH", "AF", "BA", "KL", "IB", "AZ", "LX", "OS"];
const HUBS = ["FRA", "CDG", "AMS", "MUC", "ZRH", "VIE"];
const CABIN_FACTOR: Record<string, number> = { economy: 1, premium_economy: 1.6, business: 3.2, first: 5.5 };

/** A tiny seeded PRNG (mulberry32): good enough for inventory, and the same in every run. */
const prng = (seedText: string): (() => number) => {
  let seed = createHash("sha256").update(seedText).digest().readUInt32LE(0);
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

const minorDigits = (currency: string): number => iso4217(currency)?.digits ?? 2;

/** One flight number in four is a codeshare, operated by the next carrier of the list (no random draw: inventory stays as it was). */
const codeshareOf = (carrier: string, number: number): { operating_carrier?: string } =>
  number % 4 === 0 ? { operating_carrier: CARRIERS[(CARRIERS.indexOf(carrier) + 1) % CARRIERS.length] ?? carrier } : {};

const at = (date: string, minutes: number): string => {
  const ms = Date.parse(`${date}T00:00:00Z`) + minutes * 60_000;
  return new Date(ms).toISOString().replace(".000Z", "Z");
};

const leg = (random: () => number, from: string, to: string, date: string, departMinute: number, carrier: string) => {
  const duration = 60 + Math.floor(random() * 240);
  const number = 100 + Math.floor(random() * 8900);
  const segment: SimSegment = {
    origin: from,
    destination: to,
    departs_at: at(date, departMinute),
    arrives_at: at(date, departMinute + duration),
    carrier,
    flight_number: `${carrier}${number}`,
    ...codeshareOf(carrier, number),
  };
  return { segment, arrivesMinute: departMinute + duration };
};

const journey = (random: () => number, from: string, to: string, date: string, carrier: string, direct: boolean) => {
  const depart = 6 * 60 + Math.floor(random() * 14 * 60);
  const first = leg(
    random,
    from,
    direct ? to : (HUBS.find((hub) => hub !== from && hub !== to) ?? "FRA"),
    date,
    depart,
    carrier,
  );
  if (direct) return [first.segment];
  const second = leg(
    random,
    first.segment.destination,
    to,
    date,
    first.arrivesMinute + 50 + Math.floor(random() * 90),
    carrier,
  );
  return [first.segment, second.segment];
};

export const flightsFor = (search: SimSearch): SimFlight[] => {
  if (touchesAirport(search, SCENARIO_AIRPORTS.noOffers)) return [];
  const random = prng(
    [search.origin, search.destination, search.departure_date, search.return_date ?? "", search.cabin].join("|"),
  );
  const count = 3 + Math.floor(random() * 4);
  const scale = 10 ** minorDigits(search.currency);
  const { adults, children, infants } = search.passengers;
  const paxFactor = adults + children * 0.75 + infants * 0.1;
  const flights: SimFlight[] = [];
  for (let index = 0; index < count; index += 1) {
    const carrier = CARRIERS[Math.floor(random() * CARRIERS.length)] ?? "LH";
    const direct = index % 2 === 0;
    const segments = journey(random, search.origin, search.destination, search.departure_date, carrier, direct);
    if (search.return_date !== undefined) {
      segments.push(...journey(random, search.destination, search.origin, search.return_date, carrier, direct));
    }
    const perAdult = (60 + Math.floor(random() * 400)) * (CABIN_FACTOR[search.cabin] ?? 1);
    const { refundable, changeable } = FARE_FAMILIES[index % FARE_FAMILIES.length] ?? FARE_FAMILIES[0];
    flights.push({
      key: `${index}`,
      segments,
      base: Math.round(perAdult * paxFactor * scale),
      taxes: Math.round((25 + Math.floor(random() * 60)) * (adults + children) * scale),
      fees: Math.round(5 * (adults + children + infants) * scale),
      refundable,
      changeable,
      cancelPenalty: refundable ? Math.round(50 * scale) : undefined,
    });
  }
  return flights;
};
