import type { MiddlewareObj } from "@middy/core";
import { bookkeepingContext } from "./bookkeeping-context";
import { logger } from "./powertools";

const running = bookkeepingContext();

/**
 * Writes the answer does not wait for (the DRCT request log, usage meters) but the invocation
 * does: they run beside the rest of the request instead of in a round trip of their own, and
 * the handler settles them before it returns, since Lambda freezes an environment once its
 * invocation has answered. A failed one is logged; it never turns the answer into an error.
 */
const pending = new Set<Promise<void>>();

export const afterAnswer = (what: string, work: () => Promise<unknown>): void => {
  const settled: Promise<void> = running
    .run(what, async () => work())
    .then(
      () => undefined,
      (error: unknown) => logger.warn(`${what} failed`, { error }),
    )
    .finally(() => pending.delete(settled));
  pending.add(settled);
};

/** Waits for every write started with afterAnswer, including ones started meanwhile. */
export const settleBookkeeping = async (): Promise<void> => {
  while (pending.size > 0) await Promise.all([...pending]);
};

/** For handlers built with middy: settles the bookkeeping after the handler, whether it failed or not. */
export const bookkeeping = (): MiddlewareObj => ({
  after: settleBookkeeping,
  onError: settleBookkeeping,
});
