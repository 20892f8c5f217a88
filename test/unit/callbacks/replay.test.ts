import { beforeEach, describe, expect, test } from "vitest";
import { deliverCallback, dispatchCallback, replayCallback } from "../../../functions/use-cases/callbacks";

import { eventOf, iso, OK, orderAfter, pending, rejectionOf, SERVER_ERROR, T0, type World, world } from "./world";

describe("replayCallback", () => {
  let w: World;
  const DEAD = pending("dlv_DEAD", {
    status: "dead_lettered",
    attempts: [
      { number: 1, at: iso(T0), outcome: "retry", status_code: 500, latency_ms: 5 },
      { number: 2, at: iso(T0 + 2_000), outcome: "retry", status_code: 500, latency_ms: 5 },
      { number: 3, at: iso(T0 + 6_000), outcome: "retry", status_code: 500, latency_ms: 5 },
    ],
    updatedAt: iso(T0 + 6_000),
    version: 4,
  });

  beforeEach(() => {
    w = world([0, 2, 6]);
    w.store.seed(DEAD);
  });

  test("another tenant's delivery → AVF_404_NOT_FOUND, nothing changed or queued", async () => {
    const error = await rejectionOf(replayCallback(w.callbackDeps, "tenant-b", DEAD.id));
    expect(error.code).toBe("AVF_404_NOT_FOUND");
    expect(error.status).toBe(404);
    expect(w.store.get(DEAD.id)).toEqual(DEAD);
    expect(w.store.saves).toEqual([]);
    expect(w.queue.jobs).toEqual([]);
  });

  test("an unknown delivery → AVF_404_NOT_FOUND", async () => {
    const error = await rejectionOf(replayCallback(w.callbackDeps, DEAD.tenantId, "dlv_nope"));
    expect(error.code).toBe("AVF_404_NOT_FOUND");
  });

  test("a pending delivery → 409 AVF_409_INVALID_STATE", async () => {
    const busy = pending("dlv_BUSY");
    w.store.seed(busy);
    const error = await rejectionOf(replayCallback(w.callbackDeps, busy.tenantId, busy.id));
    expect(error.code).toBe("AVF_409_INVALID_STATE");
    expect(error.status).toBe(409);
    expect(w.store.get(busy.id)).toEqual(busy);
    expect(w.queue.jobs).toEqual([]);
  });

  test("a dead-lettered delivery becomes pending in a new round, same webhook-id, queued as <id>-r1", async () => {
    const replayAt = T0 + 100_000;
    w.clock.set(replayAt);
    const next = await replayCallback(w.callbackDeps, DEAD.tenantId, DEAD.id);

    expect(next).toEqual({
      ...DEAD,
      status: "pending",
      replays: 1,
      roundStartedAt: iso(replayAt),
      roundFirstAttempt: 3,
      updatedAt: iso(replayAt),
      version: DEAD.version + 1,
    });
    expect(next.webhookId).toBe(DEAD.webhookId);
    expect(w.store.get(DEAD.id)).toEqual(next);
    expect(w.queue.jobs).toEqual([{ deliveryId: DEAD.id, orderId: DEAD.orderId, dedupId: `${DEAD.id}-r1` }]);
  });

  test("after a replay the schedule counts from the replay, and runs out again", async () => {
    const replayAt = T0 + 100_000;
    w.clock.set(replayAt);
    await replayCallback(w.callbackDeps, DEAD.tenantId, DEAD.id);
    w.sender.script(DEAD.id, SERVER_ERROR, SERVER_ERROR, SERVER_ERROR);

    expect(await deliverCallback(w.deliverDeps, DEAD.id)).toEqual({ done: false, retryInMs: 2_000 });
    w.clock.set(replayAt + 2_000);
    expect(await deliverCallback(w.deliverDeps, DEAD.id)).toEqual({ done: false, retryInMs: 4_000 });
    w.clock.set(replayAt + 6_000);
    expect(await deliverCallback(w.deliverDeps, DEAD.id)).toEqual({ done: true, deadLettered: true });

    const stored = w.store.get(DEAD.id);
    expect(stored.status).toBe("dead_lettered");
    expect(stored.attempts.map((attempt) => attempt.number)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(new Set(w.sender.sent.map((sent) => sent.webhookId))).toEqual(new Set([DEAD.webhookId]));

    // A second replay gets its own dedup id.
    w.clock.set(replayAt + 60_000);
    const again = await replayCallback(w.callbackDeps, DEAD.tenantId, DEAD.id);
    expect(again.replays).toBe(2);
    expect(again.roundFirstAttempt).toBe(6);
    expect(w.queue.jobs.map((job) => job.dedupId)).toEqual([`${DEAD.id}-r1`, `${DEAD.id}-r2`]);
  });

  test("end to end: dispatched, dead-lettered, replayed, delivered under one webhook-id", async () => {
    const issued = orderAfter("order.issued");
    w.orders.put(issued);
    const e = eventOf("order.issued", issued);
    const outcome = await dispatchCallback(w.callbackDeps, e);
    if (outcome.kind !== "queued") throw new Error("expected a delivery");
    const created = outcome.delivery;
    w.sender.script(created.id, SERVER_ERROR, SERVER_ERROR, SERVER_ERROR, OK);
    for (const at of [0, 2_000, 6_000]) {
      w.clock.set(T0 + at);
      await deliverCallback(w.deliverDeps, created.id);
    }
    expect(w.store.get(created.id).status).toBe("dead_lettered");

    w.clock.set(T0 + 3_600_000);
    await replayCallback(w.callbackDeps, e.tenant_id, created.id);
    expect(await deliverCallback(w.deliverDeps, created.id)).toEqual({ done: true });

    const stored = w.store.get(created.id);
    expect(stored.status).toBe("delivered");
    expect(stored.attempts).toHaveLength(4);
    expect(w.sender.sent.map((sent) => sent.webhookId)).toEqual(Array(4).fill(created.webhookId));
    expect(w.queue.jobs.map((job) => job.dedupId)).toEqual([created.id, `${created.id}-r1`]);
  });
});
