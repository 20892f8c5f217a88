import fc from "fast-check";
import { beforeEach, describe, expect, test } from "vitest";
import { amountsDue, type ChangeOffer, supplierChangeKeyFor } from "../../../functions/domain/change";
import type { Order } from "../../../functions/domain/order";
import {
  applyChange,
  type ChangeOffersDeps,
  type ChangeOrderDeps,
  findChangeOffers,
  settleChange,
} from "../../../functions/use-cases/change-order";
import { orderNotFound } from "../../../functions/use-cases/issue-order";
import type { ChangeOfferStore } from "../../../functions/use-cases/ports";
import {
  avfCodeOf,
  bookedOrder,
  CALL,
  drctError,
  drctOrder,
  expectNoMove,
  iso,
  issuingOrder,
  makeWorld,
  OTHER_TENANT,
  T0,
  TENANT,
  type World,
} from "./fakes";

class FakeChangeOfferStore implements ChangeOfferStore {
  readonly offers = new Map<string, ChangeOffer>();

  async remember(offers: readonly ChangeOffer[]): Promise<void> {
    for (const offer of offers) this.offers.set(`${offer.tenantId}/${offer.id}`, offer);
  }

  async find(tenantId: string, id: string): Promise<ChangeOffer | undefined> {
    return this.offers.get(`${tenantId}/${id}`);
  }
}

const NEW_SEGMENTS = [
  {
    origin: "FRA",
    destination: "LIS",
    departs_at: "2031-04-03T07:05:00Z",
    arrives_at: "2031-04-03T09:50:00Z",
    carrier: "LH",
    flight_number: "LH1172",
  },
];

let world: World;
let store: FakeChangeOfferStore;
let deps: ChangeOrderDeps & ChangeOffersDeps;

beforeEach(() => {
  world = makeWorld();
  store = new FakeChangeOfferStore();
  deps = { ...world.deps, supplier: world.supplier, changeOffers: store };
});

const issued = (overrides: Partial<Order> = {}): Order =>
  issuingOrder(T0, {
    status: "ISSUED",
    version: 4,
    changeable: true,
    tickets: [
      { passenger_index: 0, number: "2207088105602" },
      { passenger_index: 1, number: "2207088105603" },
    ],
    ...overrides,
  });

/** Asks for change offers with DRCT answering one alternative `difference` dearer. */
const offerFor = async (order: Order, difference: number, penalty = 2_500): Promise<ChangeOffer> => {
  world.supplier.changeOfferAnswers.push([
    {
      change_offer_id: "drct_chg_1",
      valid_until: iso(world.clock.ms + 60_000),
      segments: NEW_SEGMENTS,
      price: { currency: "EUR", total: 20_000 },
      price_difference: difference,
      penalty,
    },
  ]);
  const [offer] = await findChangeOffers(deps, TENANT, order.id, { departure_date: "2031-04-03" }, CALL, orderNotFound);
  if (offer === undefined) throw new Error("no change offer");
  return offer;
};

const drctChanged = () =>
  drctOrder("ISSUED", {
    segments: NEW_SEGMENTS,
    tickets: [
      { passenger_index: 0, ticket_number: "2209990000001" },
      { passenger_index: 1, ticket_number: "2209990000002" },
    ],
    applied_changes: [{ change_offer_id: "drct_chg_1", applied_at: iso(T0) }],
  });

describe("change offers", () => {
  test("a cheaper flight refunds nothing: price_difference 0, total_due the penalty", async () => {
    const order = issued();
    world.orders.seed(order);
    const offer = await offerFor(order, -3_000);
    expect(offer).toMatchObject({ priceDifference: 0, penalty: 2_500, totalDue: 2_500, currency: "EUR" });
    expect(offer.id).toMatch(/^chg_/);
    expect(await store.find(TENANT.tenantId, offer.id)).toEqual(offer);
  });

  test("total_due = price_difference + penalty, never negative, whatever DRCT answers", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.nat(100_000), (difference, penalty) => {
        const due = amountsDue(difference, penalty);
        expect(due.totalDue).toBe(due.priceDifference + due.penalty);
        expect(due.priceDifference).toBeGreaterThanOrEqual(0);
        expect(due.priceDifference).toBe(Math.max(0, difference));
      }),
    );
  });

  test.each([
    ["a fare that does not allow changes", issued({ changeable: false }), "AVF_409_NOT_CHANGEABLE"],
    ["an order not yet issued", bookedOrder(T0, { changeable: true }), "AVF_409_INVALID_STATE"],
  ] as const)("%s is refused before DRCT is asked", async (_name, order, code) => {
    world.orders.seed(order);
    expect(
      await avfCodeOf(findChangeOffers(deps, TENANT, order.id, { departure_date: "2031-04-03" }, CALL, orderNotFound)),
    ).toBe(code);
    expect(world.supplier.callCount).toBe(0);
  });
});

describe("applying a change", () => {
  test("ISSUED → CHANGING → ISSUED with the new flights and tickets, order.changed, metered", async () => {
    const order = issued();
    world.orders.seed(order);
    const offer = await offerFor(order, 4_000);
    world.supplier.changes.push(drctChanged());

    const changed = await applyChange(deps, TENANT, order.id, offer.id, CALL, orderNotFound);

    expect(changed.status).toBe("ISSUED");
    expect(changed.segments).toEqual(NEW_SEGMENTS);
    expect(changed.tickets?.map((ticket) => ticket.number)).toEqual(["2209990000001", "2209990000002"]);
    expect(changed.pendingChange).toBeUndefined();
    expect(changed.changes).toEqual([
      { changeOfferId: offer.id, totalDue: 6_500, currency: "EUR", appliedAt: iso(world.clock.ms) },
    ]);
    expect(changed.history.slice(-2).map((entry) => entry.status)).toEqual(["CHANGING", "ISSUED"]);
    expect(world.supplier.changeCalls).toEqual([
      { drctOrderId: "DRCT4678548321", changeOfferId: "drct_chg_1", key: supplierChangeKeyFor(order.id, offer.id) },
    ]);
    expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.changed"]);
    expect(world.usage.records.map((record) => record.metric)).toEqual(["changes"]);
    // Used once: the same change offer again is not found.
    expect(await avfCodeOf(applyChange(deps, TENANT, order.id, offer.id, CALL, orderNotFound))).toBe(
      "AVF_404_CHANGE_OFFER_NOT_FOUND",
    );
  });

  test("an expired, unknown or other tenant's change offer is AVF_404_CHANGE_OFFER_NOT_FOUND; nothing moves", async () => {
    const order = issued();
    world.orders.seed(order);
    const offer = await offerFor(order, 0);
    world.clock.ms += 60_000;
    expect(await avfCodeOf(applyChange(deps, TENANT, order.id, offer.id, CALL, orderNotFound))).toBe(
      "AVF_404_CHANGE_OFFER_NOT_FOUND",
    );
    expect(await avfCodeOf(applyChange(deps, TENANT, order.id, "chg_none", CALL, orderNotFound))).toBe(
      "AVF_404_CHANGE_OFFER_NOT_FOUND",
    );
    expect(await avfCodeOf(applyChange(deps, OTHER_TENANT, order.id, offer.id, CALL, orderNotFound))).toBe(
      "AVF_404_ORDER_NOT_FOUND",
    );
    expectNoMove(world, order);
  });

  test("no answer from DRCT: CHANGING stays; the reconciliation finds it applied and completes it, without a second change", async () => {
    const order = issued();
    world.orders.seed(order);
    const offer = await offerFor(order, 1_000);
    world.supplier.changes.push(drctError("timeout"));

    const changing = await applyChange(deps, TENANT, order.id, offer.id, CALL, orderNotFound);
    expect(changing.status).toBe("CHANGING");
    expect(changing.pendingChange?.changeOfferId).toBe(offer.id);

    world.supplier.finds.push(drctChanged());
    const settled = await settleChange(deps, changing, CALL, 60_000);
    expect(settled.status).toBe("ISSUED");
    expect(settled.segments).toEqual(NEW_SEGMENTS);
    expect(world.supplier.changeCalls).toHaveLength(1);
    expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.changed"]);
  });

  test("DRCT has no trace of it within the grace period: applied again under the same key; past it: ISSUED as it was", async () => {
    const order = issued();
    world.orders.seed(order);
    const offer = await offerFor(order, 1_000);
    world.supplier.changes.push(drctError("timeout"));
    const changing = await applyChange(deps, TENANT, order.id, offer.id, CALL, orderNotFound);

    world.supplier.finds.push(drctOrder("ISSUED"));
    world.supplier.changes.push(drctChanged());
    const retried = await settleChange(deps, changing, CALL, 60_000);
    expect(retried.status).toBe("ISSUED");
    expect(world.supplier.changeCalls.map((call) => call.key)).toEqual([
      supplierChangeKeyFor(order.id, offer.id),
      supplierChangeKeyFor(order.id, offer.id),
    ]);

    const other = issued({ id: "ord_other", pendingChange: changing.pendingChange, status: "CHANGING" });
    world.orders.seed(other);
    world.clock.ms += 120_000;
    world.supplier.finds.push(drctOrder("ISSUED"));
    const abandoned = await settleChange(deps, other, CALL, 60_000);
    expect(abandoned.status).toBe("ISSUED");
    expect(abandoned.pendingChange).toBeUndefined();
    expect(abandoned.segments).toEqual(other.segments);
    expect(abandoned.history.at(-1)?.reason).toBe("DRCT never confirmed the change");
  });
});
