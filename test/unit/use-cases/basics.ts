/** The primitives every use-case fake builds on: the test clock, keys, logs and scripted answers. */

export const T0 = Date.UTC(2031, 2, 10, 8, 0, 0);
export const iso = (ms: number): string => new Date(ms).toISOString();

/** What the fakes saw, in order: lets a test check that one thing happened before another. */
export type Log = string[];

export const keyOf = (tenantId: string, orderId: string): string => `${tenantId}/${orderId}`;

/** A scripted answer: a value to return, or an error to throw. */
export type Scripted<T> = T | Error;

/** The next scripted answer of `operation`; a call with nothing scripted fails the test. */
export const answer = <T>(script: Scripted<T>[], operation: string): T => {
  if (script.length === 0) throw new Error(`unexpected DRCT ${operation}: nothing scripted`);
  const next = script.shift() as Scripted<T>;
  if (next instanceof Error) throw next;
  return next;
};
