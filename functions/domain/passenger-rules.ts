import type { Passenger, PassengerType } from "./order";

/**
 * Names as airlines take them: ASCII letters after transliteration (Müller → MULLER,
 * Łukasz → LUKASZ, Guðrún → GUDRUN; letters NFD does not decompose are mapped as ICAO 9303
 * writes them), spaces, hyphens and apostrophes, 1–20 characters per part.
 */
const SPECIAL_LETTERS: Record<string, string> = {
  ß: "SS",
  Æ: "AE",
  æ: "AE",
  Œ: "OE",
  œ: "OE",
  Ø: "O",
  ø: "O",
  Ł: "L",
  ł: "L",
  Đ: "D",
  đ: "D",
  Ð: "D",
  ð: "D",
  ẞ: "SS",
  Ħ: "H",
  ħ: "H",
  Ŀ: "L",
  ŀ: "L",
  Ĳ: "IJ",
  ĳ: "IJ",
  Þ: "TH",
  þ: "TH",
  ı: "I",
};

export const transliterateName = (name: string): string =>
  name
    .replace(/[ßẞÆæŒœØøŁłĐđÐðÞþıĦħĿŀĲĳ]/g, (letter) => SPECIAL_LETTERS[letter] ?? letter)
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toUpperCase()
    .replace(/\s+/g, " ")
    .trim();

export const NAME_PATTERN = /^[A-Z](?:[A-Z '-]{0,18}[A-Z])?$/;

export interface PassengerIssue {
  readonly path: string;
  readonly message: string;
}

const ageOn = (birthDate: string, day: string): number => {
  const [by, bm, bd] = birthDate.split("-").map(Number) as [number, number, number];
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
};

/** Age bands on the day of the first flight (IATA): infant < 2, child 2–11, adult ≥ 12. */
export const passengerTypeForAge = (age: number): PassengerType => (age < 2 ? "infant" : age < 12 ? "child" : "adult");

export interface TripDates {
  /** Date of the first departure (YYYY-MM-DD). */
  readonly firstDeparture: string;
  /** Date of the last arrival. */
  readonly lastArrival: string;
  /** Today (YYYY-MM-DD). */
  readonly today: string;
}

/** Everything wrong with one passenger for this trip, as validation issues under `passengers.<index>`. */
export const passengerIssues = (passenger: Passenger, index: number, trip: TripDates): PassengerIssue[] => {
  const at = (field: string) => `passengers.${index}.${field}`;
  const issues: PassengerIssue[] = [];
  for (const field of ["given_name", "family_name"] as const) {
    if (!NAME_PATTERN.test(transliterateName(passenger[field]))) {
      issues.push({
        path: at(field),
        message: "must be 1–20 letters (A–Z after transliteration), spaces, hyphens or apostrophes",
      });
    }
  }
  if (passenger.birth_date > trip.today) {
    issues.push({ path: at("birth_date"), message: "is in the future" });
  } else {
    const expected = passengerTypeForAge(ageOn(passenger.birth_date, trip.firstDeparture));
    if (expected !== passenger.type) {
      issues.push({ path: at("type"), message: `the passenger travels as ${expected} by age on the day of departure` });
    }
  }
  if (passenger.document !== undefined && passenger.document.expires_on <= trip.lastArrival) {
    issues.push({ path: at("document.expires_on"), message: "the document expires before the last flight" });
  }
  return issues;
};

export const countByType = (passengers: readonly Passenger[]) => ({
  adults: passengers.filter((passenger) => passenger.type === "adult").length,
  children: passengers.filter((passenger) => passenger.type === "child").length,
  infants: passengers.filter((passenger) => passenger.type === "infant").length,
});
