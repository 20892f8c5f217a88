/**
 * What each measured request may cost on Lambda, in sequential waves of AWS calls (a wave
 * starts when every earlier call of the request has ended; DRCT is counted apart). The bench
 * prints the requests over budget; the targets are the performance issue's.
 */
export const WAVE_BUDGETS: Readonly<Record<string, number>> = {
  "search, cache hit": 1,
  "search, cache miss": 3,
  price: 3,
  "order create": 6,
  "order issue": 3,
  "order get": 1,
  "order list": 1,
  usage: 1,
};

/** Every bundle at most this (minified, @aws-sdk/* external as on Lambda). */
export const BUNDLE_BUDGET_KIB = 400;

/** A function's module init at most this over a module importing only the DynamoDB clients. */
export const INIT_OVER_FLOOR_BUDGET_MS = 40;
