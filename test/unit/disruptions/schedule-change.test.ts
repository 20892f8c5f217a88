import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { Segment } from "../../../functions/domain/offer";
import type { Order } from "../../../functions/domain/order";
import {
  acceptScheduleChange,
  checkRejectable,
  involuntaryRefunds,
  recordScheduleChange,
  rejectScheduleChange,
  sameSchedule,
} from "../../../functions/domain/schedule-change";
import { bookedOrder, iso, T0 } from "../use-cases/fakes";

const SEGMENTS: Segment[] = [
  {
    origin: "FRA",
    destination: "LIS",
    departs_at: "2031-04-01T07:05:00Z",
    arrives_at: "2031-04-01T09:50:00Z",
    carrier: "LH",
    flight_number: "LH1166",
  },
];

const moved = (segments: readonly Segment[], minutes: number): Segment[] =>
  segments.map((segment) => ({
    ...segment,
    departs_at: new Date(Date.parse(segment.departs_at) + minutes * 60_000).toISOString(),
    arrives_at: new Date(Date.parse(segment.arrives_at) + minutes * 60_000).toISOString(),
  }));

const watched = (overrides: Partial<Order> = {}) => bookedOrder(T0, { segments: SEGMENTS, ...overrides });
const at = new Date(T0 + 60_000);
let ids = 0;
const nextId = () => {
  ids += 1;
  return `sch_${String(ids).padStart(12, "0")}`;
};

describe("recording a schedule change", () => {
  test("a move is recorded pending, with old and new flights; the order flies the new ones", () => {
    const order = watched();
    const next = recordScheduleChange(order, { supplierChangeId: "SC1", segments: moved(SEGMENTS, 90) }, "sch_1", at);
    expect(next?.scheduleChanges).toEqual([
      {
        id: "sch_1",
        supplierChangeId: "SC1",
        detectedAt: at.toISOString(),
        oldSegments: SEGMENTS,
        newSegments: moved(SEGMENTS, 90),
        status: "pending",
      },
    ]);
    expect(next?.segments).toEqual(moved(SEGMENTS, 90));
    expect(next?.version).toBe(order.version + 1);
    expect(next?.status).toBe("BOOKED");
  });

  test("the same change seen again (same DRCT id, or the same flights) records nothing", () => {
    const once = recordScheduleChange(watched(), { supplierChangeId: "SC1", segments: moved(SEGMENTS, 30) }, "a", at);
    if (once === undefined) throw new Error("not recorded");
    expect(recordScheduleChange(once, { supplierChangeId: "SC1", segments: moved(SEGMENTS, 30) }, "b", at)).toBe(
      undefined,
    );
    expect(recordScheduleChange(once, { segments: moved(SEGMENTS, 30) }, "c", at)).toBe(undefined);
    expect(recordScheduleChange(watched(), { segments: SEGMENTS }, "d", at)).toBe(undefined);
  });

  test("only BOOKED and ISSUED orders with known flights record changes", () => {
    for (const status of ["PENDING", "ISSUING", "CANCELLED", "FAILED"] as const) {
      expect(recordScheduleChange(watched({ status }), { segments: moved(SEGMENTS, 5) }, "x", at), status).toBe(
        undefined,
      );
    }
    expect(
      recordScheduleChange(watched({ status: "ISSUED" }), { segments: moved(SEGMENTS, 5) }, "x", at),
    ).toBeDefined();
    expect(recordScheduleChange(bookedOrder(T0), { segments: moved(SEGMENTS, 5) }, "x", at)).toBe(undefined);
  });

  test("property: however often each observation is seen, and in whichever path's order, each distinct move is recorded once", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.integer({ min: -600, max: 600 }).filter((minutes) => minutes !== 0),
          { minLength: 1, maxLength: 5 },
        ),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 5, maxLength: 5 }),
        (moves, repeats) => {
          let order = watched();
          let total = 0;
          const observations = moves.map((minutes, index) => {
            total += minutes;
            return { supplierChangeId: `SC${index}`, segments: moved(SEGMENTS, total) };
          });
          for (const [index, observation] of observations.entries()) {
            for (let seen = 0; seen < (repeats[index] ?? 1); seen += 1) {
              // The sweep sees no DRCT id at times; the notification path always does.
              const sighting = seen % 2 === 0 ? observation : { segments: observation.segments };
              order = recordScheduleChange(order, sighting, nextId(), at) ?? order;
            }
          }
          const distinct = observations.filter(
            (observation, index) =>
              index === 0 || !sameSchedule(observation.segments, observations[index - 1]?.segments ?? []),
          ).length;
          expect(order.scheduleChanges ?? []).toHaveLength(distinct);
          expect(order.segments).toEqual(observations.at(-1)?.segments);
        },
      ),
    );
  });
});

describe("accepting and rejecting", () => {
  const changed = () => {
    const next = recordScheduleChange(watched(), { segments: moved(SEGMENTS, 45) }, "sch_a", at);
    if (next === undefined) throw new Error("not recorded");
    return next;
  };

  test("accept marks the change accepted, once; a rejected change cannot be accepted", () => {
    const accepted = acceptScheduleChange(changed(), "sch_a", at);
    expect(accepted?.scheduleChanges?.[0]?.status).toBe("accepted");
    expect(accepted?.status).toBe("BOOKED");
    if (accepted === undefined) throw new Error("not accepted");
    expect(acceptScheduleChange(accepted, "sch_a", at)).toBe(undefined);
    expect(() => checkRejectable(accepted, "sch_a")).toThrow(/cannot reject/);
    expect(() => acceptScheduleChange(changed(), "sch_unknown", at)).toThrow(/no schedule change/);
  });

  test("reject cancels with no penalty and refunds the whole total, whatever the fare", () => {
    const order = changed();
    expect(checkRejectable(order, "sch_a")).toBe("reject");
    const cancelled = rejectScheduleChange({ ...order, refundable: false }, "sch_a", "RF1", at);
    expect(cancelled.status).toBe("CANCELLED");
    expect(cancelled.cancellation).toEqual({ penalty: 0, refund_reference: "RF1", cancelled_at: at.toISOString() });
    expect(cancelled.scheduleChanges?.[0]?.status).toBe("rejected");
    expect(cancelled.refunds?.reduce((sum, refund) => sum + refund.amount, 0)).toBe(order.price.total);
    expect(checkRejectable(cancelled, "sch_a")).toBe("already_rejected");
    expect(cancelled.history.at(-1)?.status).toBe("CANCELLED");
  });

  test("property: involuntary refunds sum to the total, one per passenger, none negative", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 1, max: 9 }), (total, count) => {
        const order = watched({
          price: { ...watched().price, total },
          passengers: Array.from({ length: count }, () => watched().passengers[0] as Order["passengers"][number]),
        });
        const refunds = involuntaryRefunds(order, "RF");
        expect(refunds).toHaveLength(count);
        expect(refunds.reduce((sum, refund) => sum + refund.amount, 0)).toBe(total);
        expect(refunds.every((refund) => refund.amount >= 0 && Number.isInteger(refund.amount))).toBe(true);
        expect(new Set(refunds.map((refund) => refund.passengerId)).size).toBe(count);
      }),
    );
  });
});

test("a schedule change keeps the status: one history entry of the same status, naming its event", () => {
  const order = watched();
  const next = recordScheduleChange(order, { segments: moved(SEGMENTS, 10) }, "sch_h", new Date(T0 + 5_000));
  expect(next?.status).toBe(order.status);
  expect(next?.history).toEqual([
    ...order.history,
    {
      status: order.status,
      at: iso(T0 + 5_000),
      reason: "the airline changed the schedule",
      events: ["order.schedule_changed"],
    },
  ]);
  // One entry per version: the callback dispatcher reads the move an event names by its version.
  expect(next?.history).toHaveLength(next?.version ?? 0);
  expect(next?.updatedAt).toBe(iso(T0 + 5_000));
});
