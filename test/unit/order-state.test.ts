import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { AvfError } from "../../functions/domain/errors";
import {
  amend,
  canTransition,
  EVENT_OF_STATUS,
  isTerminal,
  maskDocumentNumber,
  maskEmail,
  maskPhone,
  ORDER_STATUSES,
  type Order,
  type OrderChange,
  type OrderStatus,
  TRANSITIONS,
  transition,
} from "../../functions/domain/order";
import { toPublicOrder } from "../../functions/domain/order-view";
import { passengerIdFor } from "../../functions/domain/passengers";
import { ADULT, deepFreeze, sampleOrder } from "./fixtures";

const T0 = new Date(Date.UTC(2031, 2, 10, 8, 0, 0));

/** What `fn` threw, or fails the test when it returned. */
const thrownBy = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
};

const BASE_ORDER: Order = sampleOrder(T0.toISOString(), {
  passengers: [
    { ...ADULT, given_name: "ANNA", family_name: "MULLER" },
    { type: "infant", given_name: "LENA", family_name: "MULLER", birth_date: "2030-09-01", gender: "female" },
  ],
});

/** An order created a moment ago, frozen. */
const newOrder = (): Order => deepFreeze(structuredClone(BASE_ORDER));

/** The lifecycle of CONTRACT.md §3, written out independently of TRANSITIONS. */
const CONTRACT_MOVES: readonly string[] = [
  "PENDING→BOOKED",
  "PENDING→PENDING_RECONCILE",
  "PENDING→FAILED",
  "PENDING_RECONCILE→BOOKED",
  "PENDING_RECONCILE→FAILED",
  "BOOKED→ISSUING",
  "BOOKED→CANCELLED",
  "BOOKED→EXPIRED",
  "ISSUING→ISSUED",
  "ISSUING→FAILED",
  "ISSUED→CANCELLED",
  "ISSUED→CHANGING",
  "CHANGING→ISSUED",
];

const statusArb: fc.Arbitrary<OrderStatus> = fc.constantFrom(...ORDER_STATUSES);

interface RequestedMove {
  /** When set, the move is redirected to one of the legal moves (if any), so runs get deep into the lifecycle. */
  readonly preferLegal: boolean;
  readonly pick: number;
  readonly to: OrderStatus;
  readonly at: Date;
  readonly reason: string | undefined;
  readonly drctOrderId: string | undefined;
}

const moveArb: fc.Arbitrary<RequestedMove> = fc.record({
  preferLegal: fc.boolean(),
  pick: fc.nat(),
  to: statusArb,
  at: fc.date({ min: new Date("2031-01-01T00:00:00Z"), max: new Date("2032-12-31T23:59:59Z"), noInvalidDate: true }),
  reason: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
  drctOrderId: fc.option(fc.stringMatching(/^DRCT-[0-9]{4}$/), { nil: undefined }),
});

const movesArb = fc.array(moveArb, { maxLength: 30 });

const targetOf = (current: OrderStatus, move: RequestedMove): OrderStatus => {
  const legal = TRANSITIONS[current];
  return move.preferLegal && legal.length > 0 ? (legal[move.pick % legal.length] ?? move.to) : move.to;
};

interface Run {
  readonly final: Order;
  readonly accepted: number;
  readonly refused: number;
}

/**
 * Applies every requested move to a fresh PENDING order and checks each step on the way: an accepted
 * move is in TRANSITIONS and is recorded exactly once; a refused one throws AVF_409_INVALID_STATE and
 * changes nothing.
 */
const play = (moves: readonly RequestedMove[]): Run => {
  let current = newOrder();
  let accepted = 0;
  let refused = 0;
  for (const move of moves) {
    const to = targetOf(current.status, move);
    const change: OrderChange = move.drctOrderId === undefined ? {} : { drctOrderId: move.drctOrderId };
    const before = structuredClone(current);
    if (TRANSITIONS[current.status].includes(to)) {
      const next = transition(current, to, move.at, change, move.reason);
      accepted += 1;
      expect(next.status).toBe(to);
      expect(next.version).toBe(current.version + 1);
      expect(next.updatedAt).toBe(move.at.toISOString());
      expect(next.history).toHaveLength(current.history.length + 1);
      expect(next.history.slice(0, -1)).toEqual(current.history);
      expect(next.history.at(-1)).toEqual(
        move.reason === undefined
          ? { status: to, at: move.at.toISOString() }
          : { status: to, at: move.at.toISOString(), reason: move.reason },
      );
      expect(next.drctOrderId).toBe(move.drctOrderId ?? current.drctOrderId);
      expect({ ...next, status: 0, version: 0, updatedAt: 0, history: 0, drctOrderId: 0 }).toEqual({
        ...current,
        status: 0,
        version: 0,
        updatedAt: 0,
        history: 0,
        drctOrderId: 0,
      });
      // The previous order is a value: the move did not touch it.
      expect(current).toEqual(before);
      current = deepFreeze(next);
    } else {
      const error = thrownBy(() => transition(current, to, move.at, change, move.reason));
      refused += 1;
      expect(error).toBeInstanceOf(AvfError);
      if (!(error instanceof AvfError)) throw error;
      expect(error.code).toBe("AVF_409_INVALID_STATE");
      expect(error.status).toBe(409);
      expect(error.details).toEqual({ order_id: current.id, status: current.status });
      expect(current).toEqual(before);
    }
  }
  return { final: current, accepted, refused };
};

const pathOf = (order: Order): OrderStatus[] => order.history.map((entry) => entry.status);

describe("the lifecycle table", () => {
  test("TRANSITIONS is exactly the lifecycle of the contract", () => {
    const moves = ORDER_STATUSES.flatMap((from) => TRANSITIONS[from].map((to) => `${from}→${to}`));
    expect([...moves].sort()).toEqual([...CONTRACT_MOVES].sort());
  });

  test("canTransition agrees with TRANSITIONS for every pair", () => {
    for (const from of ORDER_STATUSES) {
      for (const to of ORDER_STATUSES) {
        expect(canTransition(from, to)).toBe(CONTRACT_MOVES.includes(`${from}→${to}`));
      }
    }
  });

  test("only CANCELLED, FAILED and EXPIRED are terminal", () => {
    expect(ORDER_STATUSES.filter(isTerminal)).toEqual(["CANCELLED", "FAILED", "EXPIRED"]);
  });
});

describe("transition over random sequences of requested moves", () => {
  test("accepted moves are in TRANSITIONS; refused ones throw AVF_409_INVALID_STATE and leave the order unchanged", () => {
    fc.assert(
      fc.property(movesArb, (moves) => {
        const run = play(moves);
        expect(run.accepted + run.refused).toBe(moves.length);
      }),
    );
  });

  test("history grows by one entry per accepted move and ends with the current status", () => {
    fc.assert(
      fc.property(movesArb, (moves) => {
        const { final, accepted } = play(moves);
        expect(final.history).toHaveLength(BASE_ORDER.history.length + accepted);
        expect(final.history.at(-1)?.status).toBe(final.status);
      }),
    );
  });

  test("version increases by exactly one per accepted move", () => {
    fc.assert(
      fc.property(movesArb, (moves) => {
        const { final, accepted } = play(moves);
        expect(final.version).toBe(BASE_ORDER.version + accepted);
      }),
    );
  });

  test("every step of the recorded history is a legal move, and no status but ISSUED (after a change) is visited twice", () => {
    fc.assert(
      fc.property(movesArb, (moves) => {
        const path = pathOf(play(moves).final);
        for (let i = 1; i < path.length; i++) {
          expect(CONTRACT_MOVES).toContain(`${path[i - 1]}→${path[i]}`);
        }
        const once = path.filter((status) => status !== "ISSUED" && status !== "CHANGING");
        expect(new Set(once).size).toBe(once.length);
        path.forEach((status, i) => {
          if (status === "ISSUED" && path.indexOf("ISSUED") !== i) expect(path[i - 1]).toBe("CHANGING");
        });
      }),
    );
  });

  test("an order that went ISSUING never expires, and an EXPIRED one was never ISSUING", () => {
    fc.assert(
      fc.property(movesArb, (moves) => {
        const path = pathOf(play(moves).final);
        if (path.includes("EXPIRED")) expect(path).not.toContain("ISSUING");
        const expired = path.indexOf("EXPIRED");
        if (expired !== -1) expect(path[expired - 1]).toBe("BOOKED");
      }),
    );
  });

  test("no sequence reaches ISSUED without passing BOOKED then ISSUING", () => {
    fc.assert(
      fc.property(movesArb, (moves) => {
        const path = pathOf(play(moves).final);
        const issued = path.indexOf("ISSUED");
        if (issued === -1) return;
        expect(path[issued - 1]).toBe("ISSUING");
        expect(path[issued - 2]).toBe("BOOKED");
      }),
    );
  });

  test("PENDING_RECONCILE only ever follows PENDING", () => {
    fc.assert(
      fc.property(movesArb, (moves) => {
        const path = pathOf(play(moves).final);
        path.forEach((status, i) => {
          if (status === "PENDING_RECONCILE") expect(path[i - 1]).toBe("PENDING");
        });
      }),
    );
  });

  test("once CANCELLED or FAILED, nothing more is accepted", () => {
    fc.assert(
      fc.property(movesArb, (moves) => {
        const path = pathOf(play(moves).final);
        const terminal = path.findIndex((status) => isTerminal(status));
        if (terminal !== -1) expect(terminal).toBe(path.length - 1);
      }),
    );
  });

  test("the random runs do reach every status (the properties above are not vacuous)", () => {
    const reached = new Set<OrderStatus>();
    for (const moves of fc.sample(movesArb, { numRuns: 300, seed: 42 })) {
      for (const status of pathOf(play(moves).final)) reached.add(status);
    }
    expect([...reached].sort()).toEqual([...ORDER_STATUSES].sort());
  });
});

describe("transition, examples", () => {
  const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

  test("the happy path records every step", () => {
    let order = newOrder();
    order = transition(order, "BOOKED", at(1), { drctOrderId: "DRCT-1" });
    order = transition(order, "ISSUING", at(2), {
      issue: { paymentReference: "pay-1", requestedAt: at(2).toISOString() },
    });
    order = transition(order, "ISSUED", at(3), { tickets: [{ passenger_index: 0, number: "2201234567890" }] });
    order = transition(order, "CANCELLED", at(4), {}, "customer asked");
    expect(pathOf(order)).toEqual(["PENDING", "BOOKED", "ISSUING", "ISSUED", "CANCELLED"]);
    expect(order.version).toBe(BASE_ORDER.version + 4);
    expect(order.drctOrderId).toBe("DRCT-1");
    expect(order.tickets).toEqual([{ passenger_index: 0, number: "2201234567890" }]);
    expect(order.history.at(-1)).toEqual({ status: "CANCELLED", at: at(4).toISOString(), reason: "customer asked" });
    expect(order.updatedAt).toBe(at(4).toISOString());
    expect(order.createdAt).toBe(BASE_ORDER.createdAt);
  });

  test("a move without a reason records no reason key", () => {
    const next = transition(newOrder(), "BOOKED", at(1));
    expect(Object.keys(next.history.at(-1) ?? {})).toEqual(["status", "at"]);
  });

  test.each([
    ["PENDING", "ISSUED"],
    ["PENDING", "ISSUING"],
    ["PENDING", "PENDING"],
    ["PENDING_RECONCILE", "PENDING"],
    ["BOOKED", "ISSUED"],
    ["BOOKED", "PENDING_RECONCILE"],
    ["ISSUING", "BOOKED"],
    ["ISSUED", "ISSUING"],
    ["ISSUED", "FAILED"],
  ] as const)("%s → %s is refused", (from, to) => {
    const order = deepFreeze({ ...newOrder(), status: from });
    const error = thrownBy(() => transition(order, to, at(1)));
    expect(error).toBeInstanceOf(AvfError);
    expect(error).toMatchObject({
      code: "AVF_409_INVALID_STATE",
      message: `the order is ${from}: it cannot become ${to}`,
    });
  });

  test.each(["CANCELLED", "FAILED", "EXPIRED"] as const)("%s accepts no move at all", (terminal) => {
    const order = deepFreeze({ ...newOrder(), status: terminal });
    for (const to of ORDER_STATUSES) {
      const error = thrownBy(() => transition(order, to, at(1)));
      expect(error).toBeInstanceOf(AvfError);
      expect(error).toMatchObject({ code: "AVF_409_INVALID_STATE" });
    }
  });
});

describe("EVENT_OF_STATUS", () => {
  test("announces booked, issued, failed, cancelled and expired, and nothing else", () => {
    expect(EVENT_OF_STATUS).toEqual({
      BOOKED: "order.booked",
      ISSUED: "order.issued",
      FAILED: "order.failed",
      CANCELLED: "order.cancelled",
      EXPIRED: "order.expired",
    });
    for (const status of ["PENDING", "PENDING_RECONCILE", "ISSUING"] as const) {
      expect(EVENT_OF_STATUS[status]).toBeUndefined();
    }
  });

  test("every terminal status announces an event", () => {
    for (const status of ORDER_STATUSES.filter(isTerminal)) expect(EVENT_OF_STATUS[status]).toBeDefined();
  });
});

describe("maskDocumentNumber", () => {
  test.each([
    ["P1234567", "*****567"],
    ["X12345", "***345"],
    ["ABCD", "*BCD"],
    ["ABC", "***"],
    ["AB", "**"],
    ["A", "*"],
    ["", ""],
  ])("%j → %j", (number, masked) => {
    expect(maskDocumentNumber(number)).toBe(masked);
  });

  test("keeps the length and the last 3 characters, and masks everything before them", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 4, maxLength: 30 }), (number) => {
        const masked = maskDocumentNumber(number);
        expect(masked).toHaveLength(number.length);
        expect(masked.slice(-3)).toBe(number.slice(-3));
        expect(masked.slice(0, -3)).toBe("*".repeat(number.length - 3));
      }),
    );
  });

  test("values of 3 characters or fewer are fully masked", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 3 }), (number) => {
        expect(maskDocumentNumber(number)).toBe("*".repeat(number.length));
      }),
    );
  });
});

describe("maskEmail", () => {
  test.each([
    ["anna.mueller@example.com", "a***@example.com"],
    ["a@b.io", "a***@b.io"],
    ["@example.com", "***@example.com"],
  ])("%j → %j", (email, masked) => {
    expect(maskEmail(email)).toBe(masked);
  });

  test("keeps the first character of the local part and the whole domain, hides the rest", () => {
    const part = fc.stringMatching(/^[a-z0-9._+-]{1,20}$/);
    fc.assert(
      fc.property(part, part, (local, domain) => {
        const masked = maskEmail(`${local}@${domain}`);
        expect(masked).toBe(`${local.slice(0, 1)}***@${domain}`);
        // The length of the local part does not leak.
        expect(masked).toHaveLength(1 + 3 + 1 + domain.length);
      }),
    );
  });
});

describe("maskPhone", () => {
  test.each([
    ["+4915112345678", "************78"],
    ["0612", "**12"],
    ["12", "12"],
  ])("%j → %j", (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });

  test("keeps the length and the last 2 digits only", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+?[0-9]{2,15}$/), (phone) => {
        const masked = maskPhone(phone);
        expect(masked).toHaveLength(phone.length);
        expect(masked.slice(-2)).toBe(phone.slice(-2));
        expect(masked.slice(0, -2)).toBe("*".repeat(phone.length - 2));
      }),
    );
  });
});

describe("writes that keep the status", () => {
  test("amend adds one history entry per version, naming its events; the public history shows moves only", () => {
    const booked = transition(newOrder(), "BOOKED", T0, {}, undefined, ["order.booked"]);
    const moved = amend(booked, {}, T0, "the airline changed the schedule", ["order.schedule_changed"]);
    const again = amend(moved, {}, T0, "DRCT reported a flight disrupted", ["order.flight_disrupted"]);
    expect(again.history).toHaveLength(again.version);
    expect(again.history.at(-1)).toMatchObject({ status: "BOOKED", events: ["order.flight_disrupted"] });
    expect(toPublicOrder(again).history).toEqual(
      toPublicOrder(booked).history.map(({ status, at }) => expect.objectContaining({ status, at })),
    );
    expect(JSON.stringify(toPublicOrder(again).history)).not.toContain("events");
  });
});

describe("toPublicOrder", () => {
  const OPTIONAL = [
    ["tickets", "tickets"],
    ["drctOrderId", "drct_order_id"],
    ["externalRef", "external_ref"],
    ["callbackUrl", "callback_url"],
    ["failure", "failure"],
    ["cancellation", "cancellation"],
  ] as const;

  const optionalArb = fc.record(
    {
      tickets: fc.constant([{ passenger_index: 0, number: "2201234567890" }]),
      drctOrderId: fc.constant("DRCT-77"),
      externalRef: fc.constant("PNR-REF-1"),
      callbackUrl: fc.constant("https://partner.example.com/hooks"),
      failure: fc.constant({ code: "AVF_502_SUPPLIER_ERROR", message: "DRCT refused" }),
      cancellation: fc.constant({ refund_reference: "RF-1", penalty: 5_000, cancelled_at: T0.toISOString() }),
    },
    { requiredKeys: [] },
  );

  test("a minimal order has exactly the public fields", () => {
    const view = toPublicOrder(newOrder());
    expect(Object.keys(view).sort()).toEqual(
      ["id", "status", "offer_id", "price", "passengers", "created_at", "updated_at", "history"].sort(),
    );
    expect(view).toMatchObject({
      id: BASE_ORDER.id,
      status: "PENDING",
      offer_id: BASE_ORDER.offerId,
      price: BASE_ORDER.price,
      created_at: BASE_ORDER.createdAt,
      updated_at: BASE_ORDER.updatedAt,
      history: BASE_ORDER.history,
    });
  });

  test("document numbers are masked, the rest of the document and passenger is kept", () => {
    const view = toPublicOrder(newOrder());
    const order = newOrder();
    expect(view.passengers).toEqual([
      {
        id: passengerIdFor(order.id, 0),
        status: "ACTIVE",
        type: "adult",
        given_name: "ANNA",
        family_name: "MULLER",
        birth_date: "1990-05-17",
        gender: "female",
        document: {
          type: "passport",
          number: "*****567",
          issuing_country: "DE",
          nationality: "DE",
          expires_on: "2035-01-01",
        },
      },
      {
        id: passengerIdFor(order.id, 1),
        status: "ACTIVE",
        type: "infant",
        given_name: "LENA",
        family_name: "MULLER",
        birth_date: "2030-09-01",
        gender: "female",
      },
    ]);
    expect("document" in (view.passengers[1] ?? {})).toBe(false);
  });

  test("neither the contact, the full document number nor internal fields appear", () => {
    fc.assert(
      fc.property(optionalArb, (optional) => {
        const json = JSON.stringify(toPublicOrder({ ...newOrder(), ...optional }));
        for (const hidden of [
          "contact",
          BASE_ORDER.contact.email,
          BASE_ORDER.contact.phone,
          "P1234567",
          BASE_ORDER.tenantId,
          BASE_ORDER.supplierOfferId,
          BASE_ORDER.supplierBookingKey,
          BASE_ORDER.correlationId,
        ]) {
          expect(json).not.toContain(hidden);
        }
      }),
    );
  });

  test("each optional field appears, under its public name, exactly when it is set", () => {
    fc.assert(
      fc.property(optionalArb, (optional) => {
        const order: Order = { ...newOrder(), ...optional };
        const view: Record<string, unknown> = toPublicOrder(order);
        for (const [internal, external] of OPTIONAL) {
          const value = order[internal];
          expect(external in view).toBe(value !== undefined);
          if (value !== undefined) expect(view[external]).toEqual(value);
        }
      }),
    );
  });

  test("fields explicitly set to undefined are left out, not sent as null", () => {
    const order: Order = {
      ...newOrder(),
      tickets: undefined,
      drctOrderId: undefined,
      externalRef: undefined,
      callbackUrl: undefined,
      failure: undefined,
      cancellation: undefined,
    };
    const view: Record<string, unknown> = toPublicOrder(order);
    for (const [, external] of OPTIONAL) expect(external in view).toBe(false);
  });
});
