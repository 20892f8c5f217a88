import { describe, expect, test } from "vitest";
import type { FlightQuery, FlightStatus } from "../../../functions/domain/flight-status";
import type { Segment } from "../../../functions/domain/offer";
import type { Order } from "../../../functions/domain/order";
import type { SupplierOrder } from "../../../functions/use-cases/ports";
import {
  type DisruptionSupplier,
  observeSchedule,
  rejectScheduleChangeOf,
} from "../../../functions/use-cases/schedule-changes";
import { checkSchedule, type ScheduleWatch, type ScheduleWatchDeps } from "../../../functions/use-cases/schedule-watch";
import { bookedOrder, CALL, drctOrder, makeWorld, T0 } from "../use-cases/fakes";

const FLIGHT: Segment = {
  origin: "FRA",
  destination: "LIS",
  departs_at: new Date(T0 + 30 * 3_600_000).toISOString(),
  arrives_at: new Date(T0 + 33 * 3_600_000).toISOString(),
  carrier: "LH",
  flight_number: "LH1166",
};
const later = (minutes: number): Segment => ({
  ...FLIGHT,
  departs_at: new Date(Date.parse(FLIGHT.departs_at) + minutes * 60_000).toISOString(),
  arrives_at: new Date(Date.parse(FLIGHT.arrives_at) + minutes * 60_000).toISOString(),
});

class FakeDrct implements DisruptionSupplier {
  order: SupplierOrder = drctOrder("BOOKED", { segments: [FLIGHT] });
  statuses = new Map<string, FlightStatus>();
  readonly calls: string[] = [];

  async readOrder(): Promise<SupplierOrder> {
    this.calls.push("read");
    return this.order;
  }
  async cancelInvoluntarily(): Promise<SupplierOrder> {
    this.calls.push("cancel");
    return { ...this.order, status: "CANCELLED", refund_reference: "RF9", penalty: 0 };
  }
  async acknowledgeScheduleChange(): Promise<void> {
    this.calls.push("ack");
  }
  async flightStatus(query: FlightQuery): Promise<FlightStatus> {
    this.calls.push(`status ${query.flightNumber}`);
    const status = this.statuses.get(query.flightNumber);
    if (status === undefined) throw new Error("unknown flight");
    return status;
  }
}

class FakeWatch implements ScheduleWatch {
  readonly checks: { orderId: string; nextDue: string | undefined }[] = [];
  async due() {
    return [];
  }
  async checked(_tenantId: string, orderId: string, nextDue: string | undefined) {
    this.checks.push({ orderId, nextDue });
  }
  async findByDrctOrderId() {
    return undefined;
  }
}

const setup = (order: Order = bookedOrder(T0, { segments: [FLIGHT] })) => {
  const world = makeWorld();
  const drct = new FakeDrct();
  const watch = new FakeWatch();
  let ids = 0;
  const deps: ScheduleWatchDeps = {
    ...world.deps,
    supplier: drct,
    newScheduleChangeId: () => {
      ids += 1;
      return `sch_${ids}`;
    },
    watch,
    periodMs: 60_000,
    random: () => 1,
    flightStatus: (query) => drct.flightStatus(query),
  };
  world.orders.seed(order);
  return { world, drct, watch, deps, order };
};

describe("both paths converge on one record", () => {
  test("the notification path, then the sweep, see one change: recorded once, announced once", async () => {
    const { world, drct, deps, order } = setup();
    drct.order = { ...drct.order, segments: [later(120)], schedule_changes: [{ change_id: "SC7" }] };

    const first = await observeSchedule(deps, order, CALL);
    expect(first.recorded).toBe(true);
    const stored = world.orders.stored(order);
    if (stored === undefined) throw new Error("lost");
    expect((await observeSchedule(deps, stored, CALL)).recorded).toBe(false);
    expect(await checkSchedule(deps, stored, CALL)).toBe("unchanged");

    expect(world.orders.stored(order)?.scheduleChanges).toHaveLength(1);
    expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.schedule_changed"]);
    // The event carries ids and statuses; the new times are on the stored order (and its callback body).
    expect(world.events.all[0]).toMatchObject({ order_id: order.id, order_status: order.status });
    expect(world.orders.stored(order)?.scheduleChanges?.[0]?.newSegments).toEqual([later(120)]);
  });

  test("the sweep sets the next check within [½, 1] of the period, and drops an order no longer watched", async () => {
    const { deps, watch, order, world } = setup();
    expect(await checkSchedule(deps, order, CALL)).toBe("unchanged");
    expect(watch.checks.at(-1)?.nextDue).toBe(new Date(world.clock.ms + 60_000).toISOString());
    const cancelled = { ...order, status: "CANCELLED" as const };
    expect(await checkSchedule(deps, cancelled, CALL)).toBe("unwatched");
    expect(watch.checks.at(-1)).toEqual({ orderId: order.id, nextDue: undefined });
  });

  test("a cancelled flight departing soon is announced as order.flight_disrupted, once", async () => {
    const { deps, drct, world, order } = setup();
    drct.statuses.set("LH1166", {
      carrier: "LH",
      flight_number: "LH1166",
      date: FLIGHT.departs_at.slice(0, 10),
      status: "cancelled",
      departure: { airport: "FRA", scheduled: FLIGHT.departs_at },
      arrival: { airport: "LIS", scheduled: FLIGHT.arrives_at },
    });
    await checkSchedule(deps, order, CALL);
    const stored = world.orders.stored(order);
    if (stored === undefined) throw new Error("lost");
    await checkSchedule(deps, stored, CALL);
    expect(world.orders.stored(order)?.disruptions).toEqual([expect.objectContaining({ kind: "cancelled" })]);
    expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.flight_disrupted"]);
    // Audited like every order write: the status stays, the reason says why.
    expect(world.audit.entries).toEqual([
      expect.objectContaining({
        from: "BOOKED",
        to: "BOOKED",
        actor: "schedule-watch",
        reason: "DRCT reported a flight disrupted",
      }),
    ]);
  });

  test("a flight status DRCT cannot give leaves the check done and warns", async () => {
    const { deps, world, order, watch } = setup();
    expect(await checkSchedule(deps, order, CALL)).toBe("unchanged");
    expect(world.warnings.map((warning) => warning.message)).toEqual([
      "flight status not available; asked again at the next check",
    ]);
    expect(watch.checks).toHaveLength(1);
  });

  test("reject goes to DRCT as an involuntary cancel once; again, it answers the cancelled order", async () => {
    const { deps, drct, world, order } = setup();
    drct.order = { ...drct.order, segments: [later(60)] };
    await observeSchedule(deps, order, CALL);
    const changeId = world.orders.stored(order)?.scheduleChanges?.[0]?.id ?? "";
    const cancelled = await rejectScheduleChangeOf(deps, order.tenantId, order.id, changeId, CALL);
    expect(cancelled.status).toBe("CANCELLED");
    const again = await rejectScheduleChangeOf(deps, order.tenantId, order.id, changeId, CALL);
    expect(again).toEqual(cancelled);
    expect(drct.calls.filter((call) => call === "cancel")).toHaveLength(1);
    expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.schedule_changed", "order.cancelled"]);
  });
});
