import { beforeEach, describe, expect, test } from "vitest";
import { AvfError } from "../../../functions/domain/errors";
import type { SupplierOffer } from "../../../functions/domain/offer";
import { ORDER_STATUSES, type Order, transition } from "../../../functions/domain/order";
import type { Tenant } from "../../../functions/domain/tenant";
import {
  type CreateOrderInput,
  createOrder,
  orderIdFor,
  RETRY_BOOKING_WAIT_MS,
  startCreateOrderReads,
} from "../../../functions/use-cases/create-order";
import { SAMPLE_PRICE } from "../fixtures";
import {
  avfCodeOf,
  CALL,
  drctError,
  drctOffer,
  iso,
  keyOf,
  makeWorld,
  OTHER_TENANT,
  orderAt,
  REPRICE_AFTER_MS,
  rejectionOf,
  rememberedOffer,
  T0,
  TENANT,
  TWO_PASSENGERS,
  type World,
} from "./fakes";

let world: World;

beforeEach(() => {
  world = makeWorld();
});

const KEY = "key-1";
/** orderIdFor("tenant-a", "key-1"): pinned, since orders in flight are found again by it after a deploy. */
const ORDER_ID = "ord_-y8DKDpvQ7Hev61dYdpTLYIJ";
const CONTACT = { email: "anna.mueller@example.com", phone: "+4915112345678" } as const;

/**
 * Seeds the offer `tenant` was shown for DRCT's `offer`, its price confirmed `pricedAgoMs`
 * before now (a minute by default; never, when null), and answers its id.
 */
const shownOffer = (
  pricedAgoMs: number | null = 60_000,
  tenant: Tenant = TENANT,
  offer: SupplierOffer = drctOffer(),
): string => {
  const pricedAt = pricedAgoMs === null ? {} : { pricedAt: iso(world.clock.ms - pricedAgoMs) };
  const remembered = rememberedOffer(tenant, offer, pricedAt);
  world.offers.seed(tenant.tenantId, remembered);
  return remembered.offer.id;
};

const inputFor = (offerId: string, overrides: Partial<CreateOrderInput> = {}): CreateOrderInput => ({
  offer_id: offerId,
  passengers: TWO_PASSENGERS,
  contact: CONTACT,
  ...overrides,
});

const create = (input: CreateOrderInput, tenant: Tenant = TENANT, key: string = KEY): Promise<Order> =>
  createOrder(world.createDeps, tenant, input, key, CALL);

/** Asserts createOrder wrote, audited, metered and started nothing. */
const expectNothingCreated = (): void => {
  expect(world.orders.rows.size).toBe(0);
  expect(world.audit.entries).toEqual([]);
  expect(world.usage.records.filter((record) => record.metric === "orders")).toEqual([]);
  expect(world.booking.starts).toEqual([]);
  expect(world.awaited).toEqual([]);
};

describe("createOrder", () => {
  test("reads started early (beside the idempotency record) are the create's only reads of order and offer", async () => {
    const offerId = shownOffer();
    const reads = startCreateOrderReads(world.createDeps, TENANT, offerId, KEY);
    expect(reads.orderId).toBe(ORDER_ID);

    const order = await createOrder(world.createDeps, TENANT, inputFor(offerId), KEY, CALL, reads);

    expect(order.id).toBe(ORDER_ID);
    expect(world.log.filter((entry) => entry === "orders.get" || entry === "offers.find")).toEqual([
      "orders.get",
      "offers.find",
    ]);
  });

  test("a new order is written PENDING, audited and metered, then its booking is started and awaited", async () => {
    const offerId = shownOffer();

    const order = await create(inputFor(offerId, { external_ref: "agency-ref-7" }));

    const at = iso(world.clock.ms);
    expect(order).toEqual({
      id: ORDER_ID,
      tenantId: "tenant-a",
      status: "PENDING",
      offerId,
      supplierOfferId: "drct-offer-9",
      price: SAMPLE_PRICE,
      passengers: TWO_PASSENGERS,
      contact: CONTACT,
      externalRef: "agency-ref-7",
      supplierBookingKey: `avf-${ORDER_ID}`,
      refundable: true,
      // The fare's change rule and the flights as booked (the baseline a schedule change is compared with).
      changeable: false,
      segments: world.offers.stored("tenant-a", offerId)?.offer.segments,
      createdAt: at,
      updatedAt: at,
      history: [{ status: "PENDING", at }],
      correlationId: "corr-1",
      version: 1,
      // When its personal data becomes due for erasure (retention): the offer's last landing.
      lastFlightAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    expect(order.segments?.length).toBeGreaterThan(0);
    expect(world.orders.stored(order)).toEqual(order);
    expect(world.audit.entries).toEqual([
      {
        tenantId: "tenant-a",
        orderId: ORDER_ID,
        from: null,
        to: "PENDING",
        version: 1,
        actor: "tenant:tenant-a",
        correlationId: "corr-1",
        at,
      },
    ]);
    expect(world.usage.records).toEqual([{ tenantId: "tenant-a", metric: "orders", at }]);
    expect(world.booking.starts).toEqual([{ id: ORDER_ID, tenantId: "tenant-a" }]);
    expect(world.awaited).toEqual([order]);
    // PENDING announces nothing, and DRCT hears of the order from the workflow only.
    expect(world.orders.outboxOf(order)).toEqual([]);
    expect(world.events.published).toEqual([]);
    expect(world.supplier.callCount).toBe(0);
    expect(world.offerSupplier.priceCalls).toEqual([]);
    expect(world.warnings).toEqual([]);
  });

  test("the order is written before its booking workflow starts, so reconciliation can always find it", async () => {
    await create(inputFor(shownOffer()));

    expect(world.log.filter((entry) => ["orders.create", "booking.start", "booking.await"].includes(entry))).toEqual([
      "orders.create",
      "booking.start",
      "booking.await",
    ]);
  });

  test("the order id is derived from tenant and Idempotency-Key: stable, and different per tenant and per key", () => {
    expect(orderIdFor("tenant-a", KEY)).toBe(ORDER_ID);
    expect(orderIdFor("tenant-b", KEY)).toBe("ord_hlmMTv337FSP2wU43ucICZaV");
    expect(orderIdFor("tenant-a", "key-2")).not.toBe(ORDER_ID);
    expect(orderIdFor("tenant-a", KEY)).toMatch(/^ord_[A-Za-z0-9_-]{24}$/);
  });

  test("the answer is the order as the booking wait leaves it: BOOKED when the workflow booked it meanwhile", async () => {
    world.booking.onStart = (started) => {
      const pending = world.orders.stored(started) as Order;
      world.orders.seed(transition(pending, "BOOKED", new Date(world.clock.ms), { drctOrderId: "DRCT4678548321" }));
    };

    const order = await create(inputFor(shownOffer()));

    expect(order).toMatchObject({ id: ORDER_ID, status: "BOOKED", drctOrderId: "DRCT4678548321", version: 2 });
  });

  test("no personal data reaches the audit trail or the usage meter", async () => {
    await create(inputFor(shownOffer(), { callback_url: "https://agency.example/hooks" }));

    const recorded = JSON.stringify([world.audit.entries, world.usage.records]);
    for (const personal of ["ANNA", "LENA", "MULLER", "1990-05-17", "2030-09-01", "P1234567", "anna.mueller", "+49"]) {
      expect(recorded).not.toContain(personal);
    }
  });

  test("a callback URL the rules accept is kept on the order", async () => {
    const order = await create(inputFor(shownOffer(), { callback_url: "https://agency.example/hooks" }));

    expect(order.callbackUrl).toBe("https://agency.example/hooks");
    expect(world.log).toContain("callback.check");
  });

  test("without a callback URL the rules are not consulted", async () => {
    const order = await create(inputFor(shownOffer()));

    expect(order).not.toHaveProperty("callbackUrl");
    expect(world.log).not.toContain("callback.check");
  });

  test("a callback URL the rules refuse is AVF_400_INVALID_CALLBACK_URL with the reason; nothing is written", async () => {
    world.callbackRefusals.set("http://10.0.0.1/hook", "resolves to a private address");

    const error = await rejectionOf(create(inputFor(shownOffer(), { callback_url: "http://10.0.0.1/hook" })));

    expect(error).toBeInstanceOf(AvfError);
    expect((error as AvfError).code).toBe("AVF_400_INVALID_CALLBACK_URL");
    expect((error as AvfError).message).toBe("callback_url is refused: resolves to a private address");
    expect((error as AvfError).details).toEqual({
      issues: [{ path: "callback_url", message: "resolves to a private address" }],
    });
    expectNothingCreated();
  });
});

describe("createOrder: idempotency", () => {
  test.each(ORDER_STATUSES.filter((status) => status !== "PENDING"))(
    "a replay of a key whose order is %s answers it as stored: whatever became of the offer, no write, no booking",
    async (status) => {
      // The offer is long gone: a replay must not depend on it.
      const stored = orderAt(T0, { id: ORDER_ID, status, version: 3 });
      world.orders.seed(stored);

      expect(await create(inputFor("off_expired_since"))).toEqual(stored);

      expect(world.log).not.toContain("orders.create");
      expect(world.audit.entries).toEqual([]);
      expect(world.usage.records).toEqual([]);
      expect(world.booking.starts).toEqual([]);
      expect(world.awaited).toEqual([]);
    },
  );

  test("a replay of a key whose order is still PENDING starts its booking again and waits for it, briefly", async () => {
    const stored = orderAt(T0, { id: ORDER_ID });
    world.orders.seed(stored);

    expect(await create(inputFor("off_expired_since"))).toEqual(stored);

    expect(world.booking.starts).toEqual([{ id: ORDER_ID, tenantId: "tenant-a" }]);
    expect(world.awaited).toEqual([stored]);
    // A client retrying after an outage hears back within seconds (202 if still pending).
    expect(world.awaitedUntil).toEqual([Math.min(CALL.deadlineAt, world.clock.ms + RETRY_BOOKING_WAIT_MS)]);
    expect(world.awaitedUntil[0]).toBeLessThanOrEqual(world.clock.ms + RETRY_BOOKING_WAIT_MS);
    expect(world.log).not.toContain("orders.create");
    expect(world.audit.entries).toEqual([]);
    expect(world.usage.records).toEqual([]);
  });

  test("the same key under another tenant is another order", async () => {
    const first = await create(inputFor(shownOffer()));
    const second = await create(inputFor(shownOffer(60_000, OTHER_TENANT)), OTHER_TENANT);

    expect(first.id).toBe(ORDER_ID);
    expect(second.id).toBe("ord_hlmMTv337FSP2wU43ucICZaV");
    expect(second.tenantId).toBe("tenant-b");
    expect(world.orders.rows.size).toBe(2);
    expect(world.usage.records.map((record) => record.tenantId)).toEqual(["tenant-a", "tenant-b"]);
  });

  test("losing the create race to a request with the same key answers the winner's order, untouched", async () => {
    const winner = orderAt(T0, { id: ORDER_ID, status: "BOOKED", version: 2, correlationId: "corr-winner" });
    world.orders.racingCreates.set(keyOf("tenant-a", ORDER_ID), winner);

    expect(await create(inputFor(shownOffer()))).toEqual(winner);

    expect(world.orders.stored(winner)).toEqual(winner);
    expect(world.audit.entries).toEqual([]);
    expect(world.usage.records).toEqual([]);
    expect(world.booking.starts).toEqual([]);
  });
});

describe("createOrder: the offer", () => {
  test("an offer the tenant was never shown is AVF_404_OFFER_NOT_FOUND", async () => {
    expect(await avfCodeOf(create(inputFor("off_never_shown")))).toBe("AVF_404_OFFER_NOT_FOUND");
    expectNothingCreated();
  });

  test("an offer shown to another tenant is AVF_404_OFFER_NOT_FOUND", async () => {
    const theirs = shownOffer(60_000, OTHER_TENANT);

    expect(await avfCodeOf(create(inputFor(theirs)))).toBe("AVF_404_OFFER_NOT_FOUND");
    expectNothingCreated();
  });

  test.each([0, 1, 60_000])("an offer whose validity ended %i ms ago is AVF_404_OFFER_NOT_FOUND", async (agoMs) => {
    const offerId = shownOffer();
    world.clock.ms = Date.parse(drctOffer().validUntil) + agoMs;

    expect(await avfCodeOf(create(inputFor(offerId)))).toBe("AVF_404_OFFER_NOT_FOUND");
    expect(world.offerSupplier.priceCalls).toEqual([]);
    expectNothingCreated();
  });

  test("an offer valid one more millisecond is ordered", async () => {
    world.clock.ms = Date.parse(drctOffer().validUntil) - 1;
    const offerId = shownOffer();

    expect((await create(inputFor(offerId))).status).toBe("PENDING");
  });

  test("the price and fare rules are the tenant's, with its own markup, as shown", async () => {
    const marked: Tenant = { ...TENANT, markup: { type: "fixed", amount: "5.00" } };

    const order = await create(inputFor(shownOffer(60_000, marked)), marked);

    expect(order.price).toEqual({ ...SAMPLE_PRICE, tenant_markup: 500, total: 13_428 });
    expect(order.refundable).toBe(true);
  });
});

describe("createOrder: the travellers", () => {
  test.each([
    ["one adult only", [TWO_PASSENGERS[0]]],
    ["two adults", [TWO_PASSENGERS[0], TWO_PASSENGERS[0]]],
    ["an extra infant", [...TWO_PASSENGERS, TWO_PASSENGERS[1]]],
    ["the infant as a child", [TWO_PASSENGERS[0], { ...TWO_PASSENGERS[1], type: "child" as const }]],
  ])("%s, where the offer was searched for one adult and one infant, is AVF_400_VALIDATION", async (_, passengers) => {
    const error = await rejectionOf(create(inputFor(shownOffer(), { passengers })));

    expect(error).toBeInstanceOf(AvfError);
    expect((error as AvfError).code).toBe("AVF_400_VALIDATION");
    expect((error as AvfError).details).toEqual({
      issues: [{ path: "passengers", message: "the offer was searched for 1 adult(s), 0 child(ren), 1 infant(s)" }],
    });
    expectNothingCreated();
  });

  test("every traveller the airline would refuse is reported at once, by path", async () => {
    const [adult, infant] = TWO_PASSENGERS;
    const passengers = [
      {
        ...adult,
        given_name: "ANNA2",
        document: {
          type: "passport" as const,
          number: "P1234567",
          issuing_country: "DE",
          nationality: "DE",
          expires_on: "2031-04-01",
        },
      },
      { ...infant, birth_date: "2031-03-11" },
    ];

    const error = await rejectionOf(create(inputFor(shownOffer(), { passengers })));

    expect((error as AvfError).code).toBe("AVF_400_VALIDATION");
    expect((error as AvfError).details?.issues).toEqual([
      {
        path: "passengers.0.given_name",
        message: "must be 1–20 letters (A–Z after transliteration), spaces, hyphens or apostrophes",
      },
      { path: "passengers.0.document.expires_on", message: "the document expires before the last flight" },
      { path: "passengers.1.birth_date", message: "is in the future" },
    ]);
    expectNothingCreated();
  });

  test("ages are taken on the day of departure: an infant who turns two before the flight is refused", async () => {
    const [adult, infant] = TWO_PASSENGERS;
    // Two on 31 March 2031, the day before the flight, though still one today (10 March).
    const passengers = [adult, { ...infant, birth_date: "2029-03-31" }];

    const error = await rejectionOf(create(inputFor(shownOffer(), { passengers })));

    expect((error as AvfError).details?.issues).toEqual([
      { path: "passengers.1.type", message: "the passenger travels as child by age on the day of departure" },
    ]);
  });
});

describe("createOrder: a stale price", () => {
  test.each([
    ["never confirmed", null],
    ["confirmed just over the limit ago", REPRICE_AFTER_MS + 1],
  ])("a price %s is confirmed with DRCT first; unchanged, the order is written", async (_, pricedAgoMs) => {
    const offerId = shownOffer(pricedAgoMs);
    world.offerSupplier.prices.push(drctOffer());

    const order = await create(inputFor(offerId));

    expect(world.offerSupplier.priceCalls).toEqual([{ supplierOfferId: "drct-offer-9", call: CALL }]);
    expect(order.price).toEqual(SAMPLE_PRICE);
    expect(world.offers.confirmations.map((entry) => entry.pricedAt)).toEqual([iso(world.clock.ms)]);
    expect(world.usage.records.map((record) => record.metric).sort()).toEqual(["orders", "prices"]);
  });

  test("a price confirmed exactly the limit ago is not confirmed again", async () => {
    const order = await create(inputFor(shownOffer(REPRICE_AFTER_MS)));

    expect(world.offerSupplier.priceCalls).toEqual([]);
    expect(order.price).toEqual(SAMPLE_PRICE);
  });

  test("a price DRCT moved is AVF_409_PRICE_CHANGED, nothing is written, and ordering again books at the new price", async () => {
    const offerId = shownOffer(null);
    const dearer = drctOffer({ price: { currency: "EUR", base: 11_000, taxes: 2_500, fees: 300 } });
    world.offerSupplier.prices.push(dearer);

    const error = await rejectionOf(create(inputFor(offerId)));

    expect((error as AvfError).code).toBe("AVF_409_PRICE_CHANGED");
    expect((error as AvfError).details).toMatchObject({ old_total: 12_928, new_total: 13_938 });
    expectNothingCreated();

    const order = await create(inputFor(offerId));

    expect(world.offerSupplier.priceCalls).toHaveLength(1);
    expect(order.price).toEqual({ ...SAMPLE_PRICE, base: 11_000, aviaframe_markup: 138, total: 13_938 });
  });

  test("a tenant markup changed since the search surfaces as a price change of the tenant markup", async () => {
    const offerId = shownOffer(null);
    world.offerSupplier.prices.push(drctOffer());
    const marked: Tenant = { ...TENANT, markup: { type: "fixed", amount: "5.00" } };

    const error = await rejectionOf(create(inputFor(offerId), marked));

    expect((error as AvfError).code).toBe("AVF_409_PRICE_CHANGED");
    expect((error as AvfError).details?.changes).toEqual({
      tenant_markup: { old: 0, new: 500 },
      total: { old: 12_928, new: 13_428 },
    });
    expectNothingCreated();
  });

  test("fare rules DRCT changed at the same price are the order's", async () => {
    const offerId = shownOffer(null);
    world.offerSupplier.prices.push(drctOffer({ fareRules: { refundable: false, changeable: false } }));

    expect((await create(inputFor(offerId))).refundable).toBe(false);
  });

  test("DRCT no longer offering it is AVF_404_OFFER_NOT_FOUND", async () => {
    const offerId = shownOffer(null);
    world.offerSupplier.prices.push(drctOffer({ validUntil: iso(world.clock.ms) }));

    expect(await avfCodeOf(create(inputFor(offerId)))).toBe("AVF_404_OFFER_NOT_FOUND");
    expectNothingCreated();
  });

  test.each(["timeout", "circuit_open", "not_found"] as const)(
    "a DRCT failure (%s) while confirming the price propagates; nothing is written",
    async (kind) => {
      const offerId = shownOffer(null);
      const failure = drctError(kind);
      world.offerSupplier.prices.push(failure);

      expect(await rejectionOf(create(inputFor(offerId)))).toBe(failure);
      expectNothingCreated();
      expect(world.offers.confirmations).toEqual([]);
    },
  );
});

describe("createOrder: failures after the write", () => {
  test("an audit failure is warned about; the order is still created and booked", async () => {
    world.audit.down = true;

    const order = await create(inputFor(shownOffer()));

    expect(world.orders.stored(order)?.status).toBe("PENDING");
    expect(world.booking.starts).toHaveLength(1);
    expect(world.warnings.map((warning) => warning.message)).toEqual(["audit entry not written"]);
  });

  test("a workflow that does not start leaves the order PENDING for reconciliation: answered, not thrown", async () => {
    world.booking.down = true;

    const order = await create(inputFor(shownOffer()));

    expect(order.status).toBe("PENDING");
    expect(world.orders.stored(order)).toEqual(order);
    expect(world.awaited).toEqual([]);
    expect(world.warnings).toEqual([
      {
        message: "booking workflow not started; reconciliation will settle the order",
        error: new Error("step functions unavailable"),
      },
    ]);
  });
});
