import { beforeEach, describe, expect, test } from "vitest";
import type { DeliveryStatus } from "../../../functions/domain/delivery";
import { callbackBody } from "../../../functions/domain/delivery";
import { toPublicOrder } from "../../../functions/domain/order-view";
import { deliverCallback } from "../../../functions/use-cases/callbacks";

import {
  BAD_REQUEST,
  iso,
  OK,
  ORDER,
  pending,
  retryAfter,
  SERVER_ERROR,
  secretsOf,
  T0,
  type World,
  world,
} from "./world";

describe("deliverCallback", () => {
  let w: World;
  const D = pending("dlv_D");
  beforeEach(() => {
    w = world([0, 2, 6]);
    w.store.seed(D);
  });

  test("2xx → delivered after one attempt, signed with the tenant's secrets, under its webhook-id", async () => {
    w.sender.script(D.id, OK);
    expect(await deliverCallback(w.deliverDeps, D.id)).toEqual({ done: true });

    expect(w.sender.sent).toEqual([
      {
        deliveryId: D.id,
        webhookId: D.webhookId,
        body: callbackBody(D.eventType, D.occurredAt, toPublicOrder(ORDER)),
        secrets: secretsOf(D.tenantId),
        at: T0,
      },
    ]);
    const stored = w.store.get(D.id);
    expect(stored.status).toBe("delivered");
    expect(stored.attempts).toEqual([
      { number: 1, at: iso(T0), outcome: "delivered", status_code: 204, latency_ms: 12 },
    ]);
    expect(stored.version).toBe(D.version + 1);
    expect(stored.webhookId).toBe(D.webhookId);
  });

  test("400 → blocked, done, no retry", async () => {
    w.sender.script(D.id, BAD_REQUEST);
    expect(await deliverCallback(w.deliverDeps, D.id)).toEqual({ done: true });
    const stored = w.store.get(D.id);
    expect(stored.status).toBe("blocked");
    expect(stored.attempts).toEqual([{ number: 1, at: iso(T0), outcome: "blocked", status_code: 400, latency_ms: 7 }]);
  });

  test("500 → pending, next attempt by the schedule; schedule used up → dead_lettered", async () => {
    w.sender.script(D.id, SERVER_ERROR, SERVER_ERROR, SERVER_ERROR);

    expect(await deliverCallback(w.deliverDeps, D.id)).toEqual({ done: false, retryInMs: 2_000 });
    expect(w.store.get(D.id).status).toBe("pending");

    w.clock.set(T0 + 2_000);
    expect(await deliverCallback(w.deliverDeps, D.id)).toEqual({ done: false, retryInMs: 4_000 });
    expect(w.store.get(D.id).status).toBe("pending");

    w.clock.set(T0 + 6_000);
    // Its job belongs in the dead-letter queue now (the consumer puts it there, /ops redrives it).
    expect(await deliverCallback(w.deliverDeps, D.id)).toEqual({ done: true, deadLettered: true });
    const stored = w.store.get(D.id);
    expect(stored.status).toBe("dead_lettered");
    expect(
      stored.attempts.map((attempt) => [attempt.number, attempt.at, attempt.outcome, attempt.status_code]),
    ).toEqual([
      [1, iso(T0), "retry", 500],
      [2, iso(T0 + 2_000), "retry", 500],
      [3, iso(T0 + 6_000), "retry", 500],
    ]);
    expect(stored.version).toBe(D.version + 3);
    expect(w.sender.sent.map((sent) => sent.webhookId)).toEqual([D.webhookId, D.webhookId, D.webhookId]);
  });

  test("a late job still counts from the round's start (no drift)", async () => {
    w.sender.script(D.id, SERVER_ERROR);
    w.clock.set(T0 + 500);
    expect(await deliverCallback(w.deliverDeps, D.id)).toEqual({ done: false, retryInMs: 1_500 });
  });

  test("a Retry-After larger than the schedule wins", async () => {
    w.sender.script(D.id, retryAfter(10));
    expect(await deliverCallback(w.deliverDeps, D.id)).toEqual({ done: false, retryInMs: 10_000 });
  });

  test("a Retry-After smaller than the schedule does not shorten it", async () => {
    w.sender.script(D.id, retryAfter(1));
    expect(await deliverCallback(w.deliverDeps, D.id)).toEqual({ done: false, retryInMs: 2_000 });
  });

  test("a Retry-After does not extend a used-up schedule", async () => {
    w.store.seed(
      pending(D.id, {
        attempts: [
          { number: 1, at: iso(T0), outcome: "retry", status_code: 500, latency_ms: 1 },
          { number: 2, at: iso(T0 + 2_000), outcome: "retry", status_code: 500, latency_ms: 1 },
        ],
        version: 3,
      }),
    );
    w.sender.script(D.id, retryAfter(60));
    w.clock.set(T0 + 6_000);
    expect(await deliverCallback(w.deliverDeps, D.id)).toEqual({ done: true, deadLettered: true });
    expect(w.store.get(D.id).status).toBe("dead_lettered");
  });

  test("a timeout (no status) is recorded with its error and no status code", async () => {
    w.sender.script(D.id, { outcome: "retry", error: "timeout after 10000 ms", latencyMs: 10_000.6 });
    await deliverCallback(w.deliverDeps, D.id);
    const [attempt] = w.store.get(D.id).attempts;
    expect(attempt).toStrictEqual({
      number: 1,
      at: iso(T0),
      outcome: "retry",
      error: "timeout after 10000 ms",
      latency_ms: 10_001,
    });
  });

  // A dead_lettered one is: its job only comes back from the dead-letter queue (a redrive), below.
  test.each<DeliveryStatus>(["delivered", "blocked"])("a %s delivery is not sent again", async (status) => {
    const settled = pending(D.id, { status, version: 4 });
    w.store.seed(settled);
    w.sender.script(D.id, OK);
    expect(await deliverCallback(w.deliverDeps, D.id)).toEqual({ done: true });
    expect(w.sender.sent).toEqual([]);
    expect(w.store.saves).toEqual([]);
    expect(w.store.get(D.id)).toEqual(settled);
  });

  test("an unknown delivery is done without sending", async () => {
    expect(await deliverCallback(w.deliverDeps, "dlv_nope")).toEqual({ done: true });
    expect(w.sender.sent).toEqual([]);
  });
});

describe("ordering within an order", () => {
  let w: World;
  const E = pending("dlv_E", { sequence: 2, eventType: "order.booked" });
  const D = pending("dlv_D", { sequence: 5, eventType: "order.issued" });
  /** Settled earlier deliveries of the same order: never resent. */
  const C = pending("dlv_C", { sequence: 1, status: "delivered" });
  const B = pending("dlv_B", { sequence: 0, status: "dead_lettered" });
  /** Pending, lower sequence, but other orders (same tenant, and same order id under another tenant). */
  const otherOrder = pending("dlv_X", { orderId: "ord_OTHER", sequence: 1 });
  const otherTenant = pending("dlv_Y", { tenantId: "tenant-b", sequence: 1 });

  beforeEach(() => {
    w = world([0, 2, 6]);
    // D stored before E, so the store's own order is not the sequence order.
    w.store.seed(otherOrder, D, C, otherTenant, E, B);
    for (const id of [otherOrder.id, otherTenant.id, C.id, B.id]) w.sender.script(id, OK);
  });

  const untouched = () => {
    for (const other of [otherOrder, otherTenant, C, B]) expect(w.store.get(other.id)).toEqual(other);
    expect(w.sender.sentIds).not.toContain(otherOrder.id);
    expect(w.sender.sentIds).not.toContain(otherTenant.id);
    expect(w.store.saves.map((save) => save.id)).not.toContain(otherOrder.id);
    expect(w.store.saves.map((save) => save.id)).not.toContain(otherTenant.id);
  };

  test("D's job sends the earlier pending E first, then D", async () => {
    w.sender.script(E.id, OK).script(D.id, OK);
    expect(await deliverCallback(w.deliverDeps, D.id)).toEqual({ done: true });
    expect(w.sender.sentIds).toEqual([E.id, D.id]);
    expect(w.store.get(E.id).status).toBe("delivered");
    expect(w.store.get(D.id).status).toBe("delivered");
    untouched();
  });

  test("several earlier pending deliveries go out oldest event first, whatever the store's order", async () => {
    const F = pending("dlv_F", { sequence: 3, eventType: "order.issued" });
    w.store.seed(F);
    w.sender.script(E.id, OK).script(F.id, OK).script(D.id, OK);
    expect(await deliverCallback(w.deliverDeps, D.id)).toEqual({ done: true });
    expect(w.sender.sentIds).toEqual([E.id, F.id, D.id]);
    untouched();
  });

  test("when E needs a retry, the job waits for E's delay and D is not sent", async () => {
    // E already failed once at T0; its second attempt (now, T0+1 s) is due again at T0+6 s.
    const e1 = pending(E.id, {
      sequence: 2,
      attempts: [{ number: 1, at: iso(T0), outcome: "retry", status_code: 500, latency_ms: 3 }],
      version: 2,
    });
    w.store.seed(e1);
    w.clock.set(T0 + 1_000);
    w.sender.script(E.id, SERVER_ERROR).script(D.id, OK);

    expect(await deliverCallback(w.deliverDeps, D.id)).toEqual({ done: false, retryInMs: 5_000 });
    expect(w.sender.sentIds).toEqual([E.id]);
    expect(w.store.get(D.id)).toEqual(D);
    expect(w.store.get(E.id).attempts).toHaveLength(2);
    untouched();
  });

  test("an earlier delivery that settles for good (blocked) does not hold D back", async () => {
    w.sender.script(E.id, BAD_REQUEST).script(D.id, OK);
    expect(await deliverCallback(w.deliverDeps, D.id)).toEqual({ done: true });
    expect(w.sender.sentIds).toEqual([E.id, D.id]);
    expect(w.store.get(E.id).status).toBe("blocked");
    untouched();
  });

  test("E's own job does not wait for, or send, the later D", async () => {
    w.sender.script(E.id, OK).script(D.id, OK);
    expect(await deliverCallback(w.deliverDeps, E.id)).toEqual({ done: true });
    expect(w.sender.sentIds).toEqual([E.id]);
    expect(w.store.get(D.id)).toEqual(D);
    untouched();
  });

  test("a lost version race on the delivery itself returns done", async () => {
    const alone = world([0, 2, 6]);
    alone.store.seed(D);
    alone.store.loseNextSave.add(D.id);
    alone.sender.script(D.id, SERVER_ERROR);
    expect(await deliverCallback(alone.deliverDeps, D.id)).toEqual({ done: true });
    expect(alone.sender.sentIds).toEqual([D.id]);
    expect(alone.store.saves).toEqual([{ id: D.id, ok: false }]);
    // The other writer's version stands; this job's attempt was not written over it.
    expect(alone.store.get(D.id).attempts).toEqual([]);
  });
});

describe("dead-lettered deliveries and metrics", () => {
  let w: World;
  const D = pending("dlv_D");
  beforeEach(() => {
    w = world([0, 2, 6]);
    w.store.seed(D);
  });

  test("a dead-lettered delivery's job back from the DLQ (a redrive) starts a new round under the same webhook-id", async () => {
    const dead = pending("dlv_R", {
      status: "dead_lettered",
      attempts: [{ number: 1, at: iso(T0 - 60_000), outcome: "retry", status_code: 503, latency_ms: 5 }],
    });
    w.store.seed(dead);
    w.clock.set(T0 + 10_000);
    w.sender.script(dead.id, SERVER_ERROR, OK);

    expect(await deliverCallback(w.deliverDeps, dead.id)).toEqual({ done: false, retryInMs: 2_000 });
    const retried = w.store.get(dead.id);
    expect(retried.status).toBe("pending");
    expect(retried.roundStartedAt).toBe(iso(T0 + 10_000));
    expect(retried.roundFirstAttempt).toBe(1);
    expect(retried.replays).toBe(dead.replays + 1);

    w.clock.set(T0 + 12_000);
    expect(await deliverCallback(w.deliverDeps, dead.id)).toEqual({ done: true });
    const delivered = w.store.get(dead.id);
    expect(delivered.status).toBe("delivered");
    expect(delivered.attempts.map((attempt) => attempt.status_code)).toEqual([503, 500, 204]);
    expect(w.sender.sent.map((sent) => sent.webhookId)).toEqual([dead.webhookId, dead.webhookId]);
  });

  test("each attempt's outcome is reported (the dashboard's callbacks widget)", async () => {
    const seen: string[] = [];
    const deps = { ...w.deliverDeps, observe: (outcome: string) => seen.push(outcome) };
    w.sender.script(D.id, SERVER_ERROR, SERVER_ERROR, SERVER_ERROR);
    await deliverCallback(deps, D.id);
    w.clock.set(T0 + 2_000);
    await deliverCallback(deps, D.id);
    w.clock.set(T0 + 6_000);
    await deliverCallback(deps, D.id);
    expect(seen).toEqual(["retry", "retry", "dead_lettered"]);
  });
});
