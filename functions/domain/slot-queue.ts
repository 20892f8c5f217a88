/**
 * Fair shares of a paced supplier operation (DRCT's one search per second for the whole
 * account). Callers that find the next slot taken may wait a short while for a later one;
 * the slots then go by priority class, and within a class round-robin between tenants,
 * weighted by plan (start-time fair queueing), so a tenant with many waiting calls cannot take
 * every slot. The whole queue is one value, so a shared store guards it with one conditional
 * write, like the GCRA buckets.
 */

/** Interactive searches and bookings first, then ticketing and cancellations, then background reads. */
export const PRIORITIES = ["interactive", "ticketing", "background"] as const;
export type Priority = (typeof PRIORITIES)[number];

export interface SlotWaiter {
  readonly id: string;
  readonly tenantId: string;
  readonly priority: Priority;
  /** A tenant's share of contended slots is proportional to its weight (its plan's). */
  readonly weight: number;
  readonly enqueuedAt: number;
  /** After this the waiter is gone (it gave up, or its Lambda died): it holds nothing. */
  readonly leaseUntil: number;
}

export interface SlotQueue {
  /** When the next slot opens (epoch ms); undefined: never used. */
  readonly nextSlotAt: number | undefined;
  readonly waiters: readonly SlotWaiter[];
  /** Each tenant's virtual finish time: how much of the contended slots it has had, per weight. */
  readonly virtual: Readonly<Record<string, number>>;
  /** The virtual time of the latest slot given out. */
  readonly clock: number;
  /** Slots given to other classes since a background waiter was last served. */
  readonly sinceBackground: number;
}

export interface SlotPolicy {
  /** One slot per this many milliseconds (DRCT search: 1,100 = 1/s with 10% margin). */
  readonly intervalMs: number;
  /** While background calls wait, at least one slot in this many is theirs, so they always progress. */
  readonly backgroundEvery: number;
  /**
   * A slot its first-in-line waiter has not taken this long after it opened goes to whoever
   * asks next (that waiter's Lambda may be slow or gone; it keeps its place for the next slot).
   */
  readonly headGraceMs: number;
}

export const EMPTY_QUEUE: SlotQueue = { nextSlotAt: undefined, waiters: [], virtual: {}, clock: 0, sinceBackground: 0 };

/** Slot times are epoch ms; compare with this much slack, as the GCRA does. */
const EPSILON_MS = 0.01;

const liveWaiters = (queue: SlotQueue, now: number): SlotWaiter[] =>
  queue.waiters.filter((waiter) => waiter.leaseUntil >= now);

const byArrival = (a: SlotWaiter, b: SlotWaiter): number => a.enqueuedAt - b.enqueuedAt || a.id.localeCompare(b.id);

const startTag = (queue: Pick<SlotQueue, "virtual" | "clock">, tenantId: string): number =>
  Math.max(queue.virtual[tenantId] ?? queue.clock, queue.clock);

/** Which waiter the next slot goes to, of `waiters` (all live). */
const pick = (queue: SlotQueue, waiters: readonly SlotWaiter[], policy: SlotPolicy) => {
  const present = (priority: Priority) => waiters.some((waiter) => waiter.priority === priority);
  const backgroundDue = present("background") && queue.sinceBackground + 1 >= policy.backgroundEvery;
  const priority = backgroundDue ? "background" : (PRIORITIES.find(present) ?? "interactive");
  const candidates = waiters.filter((waiter) => waiter.priority === priority).sort(byArrival);
  let best: SlotWaiter | undefined;
  for (const candidate of candidates) {
    if (best === undefined || startTag(queue, candidate.tenantId) < startTag(queue, best.tenantId)) best = candidate;
  }
  return best;
};

/** The queue after `waiter` took a slot at `at`. */
const serve = (queue: SlotQueue, waiter: SlotWaiter, at: number, policy: SlotPolicy): SlotQueue => {
  const start = startTag(queue, waiter.tenantId);
  const waiters = queue.waiters.filter((other) => other.id !== waiter.id && other.leaseUntil >= at);
  const waiting = new Set(waiters.map((other) => other.tenantId));
  // Tenants with nothing waiting and no lead over the clock would restart from it anyway: drop them.
  const virtual = Object.fromEntries(
    Object.entries({ ...queue.virtual, [waiter.tenantId]: start + 1 / waiter.weight }).filter(
      ([tenantId, finish]) => waiting.has(tenantId) || tenantId === waiter.tenantId || finish > start,
    ),
  );
  return {
    nextSlotAt: Math.max(queue.nextSlotAt ?? at, at) + policy.intervalMs,
    waiters,
    virtual,
    clock: start,
    sinceBackground: waiter.priority === "background" ? 0 : queue.sinceBackground + 1,
  };
};

/** The order in which the live waiters (and `newcomer`, if given) would be served from now on. */
export const serviceOrder = (queue: SlotQueue, now: number, policy: SlotPolicy, newcomer?: SlotWaiter) => {
  const order: SlotWaiter[] = [];
  let state: SlotQueue = { ...queue, waiters: [...liveWaiters(queue, now), ...(newcomer ? [newcomer] : [])] };
  for (;;) {
    const next = pick(state, state.waiters, policy);
    if (next === undefined) return order;
    order.push(next);
    state = serve(state, next, now, policy);
  }
};

/** When the slot at position `index` of the service order opens. */
const slotAt = (queue: SlotQueue, now: number, policy: SlotPolicy, index: number): number =>
  Math.max(queue.nextSlotAt ?? now, now) + index * policy.intervalMs;

export type Arrival =
  | { readonly kind: "granted"; readonly queue: SlotQueue }
  | { readonly kind: "wait"; readonly queue: SlotQueue; readonly slotAt: number }
  | { readonly kind: "refused"; readonly retryAfterMs: number };

/**
 * A caller arrives wanting a slot and willing to wait until `waitUntil`: it is granted one
 * now, queued for one it can expect in time, or refused with when it could expect one. Its
 * place is held until `leaseUntil` (by default the end of its wait; a little later lets a
 * caller that looks again late still take a slot that opened within its wait).
 */
export const arrive = (
  queue: SlotQueue,
  caller: Omit<SlotWaiter, "leaseUntil">,
  now: number,
  waitUntil: number,
  policy: SlotPolicy,
  leaseUntil: number = waitUntil,
): Arrival => {
  const waiter: SlotWaiter = { ...caller, leaseUntil: Math.max(leaseUntil, waitUntil) };
  const position = serviceOrder(queue, now, policy, waiter).findIndex((other) => other.id === waiter.id);
  const at = slotAt(queue, now, policy, position);
  if (position === 0 && at <= now + EPSILON_MS) return { kind: "granted", queue: serve(queue, waiter, now, policy) };
  if (at <= waitUntil) {
    return { kind: "wait", slotAt: at, queue: { ...queue, waiters: [...liveWaiters(queue, now), waiter] } };
  }
  return { kind: "refused", retryAfterMs: Math.max(1, Math.ceil(at - now)) };
};

export type Turn =
  | { readonly kind: "take"; readonly queue: SlotQueue }
  | { readonly kind: "wait"; readonly until: number }
  | { readonly kind: "gone" };

/** A queued waiter looks again: its slot has opened (take it), it waits on, or its lease is over. */
export const turn = (queue: SlotQueue, waiterId: string, now: number, policy: SlotPolicy): Turn => {
  const order = serviceOrder(queue, now, policy);
  const position = order.findIndex((waiter) => waiter.id === waiterId);
  const me = order[position];
  const head = order[0];
  if (me === undefined || head === undefined) return { kind: "gone" };
  const open = now + EPSILON_MS >= (queue.nextSlotAt ?? now);
  // The head is late once its slot has been open (and it waiting) for the grace period.
  const headLateAt = Math.max(queue.nextSlotAt ?? now, head.enqueuedAt) + policy.headGraceMs;
  if (open && (position === 0 || now >= headLateAt)) return { kind: "take", queue: serve(queue, me, now, policy) };
  const mine = slotAt(queue, now, policy, position);
  return { kind: "wait", until: position === 0 ? mine : Math.min(mine, headLateAt) };
};

/** The queue without `waiterId` (it gave up). */
export const leave = (queue: SlotQueue, waiterId: string, now: number): SlotQueue => ({
  ...queue,
  waiters: liveWaiters(queue, now).filter((waiter) => waiter.id !== waiterId),
});
