import { AsyncLocalStorage } from "node:async_hooks";

/**
 * What bookkeeping is running, for the calls it makes (functions/shared/bookkeeping.ts).
 * One store per thread, found by a registered symbol: the local runtime's call recorder
 * (lib/local/lambda/outbound-calls.ts) runs beside the handler's bundle, not inside it, and
 * leaves these calls out of a request's sequential steps.
 */
const CONTEXT = Symbol.for("aviaframe.bookkeeping");
const globals = globalThis as { [CONTEXT]?: AsyncLocalStorage<string> };

export const bookkeepingContext = (): AsyncLocalStorage<string> => {
  globals[CONTEXT] ??= new AsyncLocalStorage<string>();
  return globals[CONTEXT];
};

/** The bookkeeping running where this is called, if any (its label). */
export const bookkeepingNow = (): string | undefined => globals[CONTEXT]?.getStore();
