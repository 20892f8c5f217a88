import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { signDrctNotification, verifyDrctSignature } from "../../../functions/domain/drct-notification";
import {
  DISRUPTIVE_DELAY_MINUTES,
  disruptionOf,
  type FlightStatus,
  flightKey,
  flightsToWatch,
  newDisruption,
} from "../../../functions/domain/flight-status";
import type { Segment } from "../../../functions/domain/offer";
import { signNotification } from "../../../lib/drct-simulator/notifier";

const SECRET = "drct-notification-secret-for-tests";
const NOW = 1_900_000_000;

describe("DRCT's notification signature", () => {
  test("the simulator's signature verifies; a forged, missing, malformed or stale one does not", () => {
    const body = '{"id":"ntf_1","type":"order.schedule_changed"}';
    expect(verifyDrctSignature(SECRET, signNotification(SECRET, NOW, body), body, NOW)).toBe("valid");
    expect(verifyDrctSignature(SECRET, signDrctNotification(SECRET, NOW, body), body, NOW + 299)).toBe("valid");
    expect(verifyDrctSignature(SECRET, signDrctNotification("other", NOW, body), body, NOW)).toBe("mismatch");
    expect(verifyDrctSignature(SECRET, undefined, body, NOW)).toBe("missing");
    expect(verifyDrctSignature(SECRET, "v1=abc", body, NOW)).toBe("malformed");
    expect(verifyDrctSignature(SECRET, signDrctNotification(SECRET, NOW - 301, body), body, NOW)).toBe("stale");
    expect(verifyDrctSignature(SECRET, signDrctNotification(SECRET, NOW + 301, body), body, NOW)).toBe("stale");
  });

  test("property: any other body, or a signature re-dated to pass the window, does not verify", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.integer({ min: -300, max: 300 }), (body, other, skew) => {
        fc.pre(body !== other);
        const header = signDrctNotification(SECRET, NOW, body);
        expect(verifyDrctSignature(SECRET, header, body, NOW + skew)).toBe("valid");
        expect(verifyDrctSignature(SECRET, header, other, NOW)).toBe("mismatch");
        const redated = header.replace(`t=${NOW}`, `t=${NOW + 1}`);
        expect(verifyDrctSignature(SECRET, redated, body, NOW)).toBe("mismatch");
      }),
    );
  });
});

const status = (overrides: Partial<FlightStatus> = {}): FlightStatus => ({
  carrier: "LH",
  flight_number: "LH1166",
  date: "2031-04-01",
  status: "scheduled",
  departure: { airport: "FRA", scheduled: "2031-04-01T07:05:00Z" },
  arrival: { airport: "LIS", scheduled: "2031-04-01T09:50:00Z" },
  ...overrides,
});

const SEGMENT: Segment = {
  origin: "FRA",
  destination: "LIS",
  departs_at: "2031-04-01T07:05:00Z",
  arrives_at: "2031-04-01T09:50:00Z",
  carrier: "LH",
  flight_number: "LH1166",
};

describe("flight disruptions", () => {
  test("a delay from 60 minutes on, or a cancellation, disrupts; less does not", () => {
    expect(disruptionOf(status({ status: "delayed", delay_minutes: DISRUPTIVE_DELAY_MINUTES - 1 }))).toBe(undefined);
    expect(disruptionOf(status({ status: "delayed", delay_minutes: DISRUPTIVE_DELAY_MINUTES }))).toEqual({
      kind: "delayed",
      delayMinutes: 60,
    });
    expect(disruptionOf(status({ status: "cancelled" }))?.kind).toBe("cancelled");
    // Without DRCT's figure, from the estimated departure.
    const estimated = status({
      status: "delayed",
      departure: { airport: "FRA", scheduled: "2031-04-01T07:05:00Z", estimated: "2031-04-01T08:35:00Z" },
    });
    expect(disruptionOf(estimated)).toEqual({ kind: "delayed", delayMinutes: 90 });
  });

  test("recorded once per flight and kind, only for the order's own flights", () => {
    const at = new Date("2031-03-31T10:00:00Z");
    const cancelled = status({ status: "cancelled" });
    const first = newDisruption([SEGMENT], [], cancelled, at);
    expect(first).toMatchObject({ carrier: "LH", flight_number: "LH1166", kind: "cancelled" });
    expect(newDisruption([SEGMENT], first === undefined ? [] : [first], cancelled, at)).toBe(undefined);
    expect(newDisruption([SEGMENT], [], status({ flight_number: "LH9", status: "cancelled" }), at)).toBe(undefined);
    expect(newDisruption([SEGMENT], [], status({ status: "delayed", delay_minutes: 20 }), at)).toBe(undefined);
  });

  test("one key per flight and day, however the number is written", () => {
    expect(flightKey({ carrier: "LH", flightNumber: "LH1166", date: "2031-04-01" })).toBe(
      flightKey({ carrier: "LH", flightNumber: "1166", date: "2031-04-01" }),
    );
  });

  test("the sweep asks about flights departing within 48 h that have not landed", () => {
    expect(flightsToWatch([SEGMENT], new Date("2031-03-29T06:00:00Z"))).toEqual([]);
    expect(flightsToWatch([SEGMENT], new Date("2031-03-31T06:00:00Z"))).toEqual([
      { carrier: "LH", flightNumber: "LH1166", date: "2031-04-01" },
    ]);
    expect(flightsToWatch([SEGMENT], new Date("2031-04-01T10:00:00Z"))).toEqual([]);
  });
});
