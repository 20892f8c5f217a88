/**
 * Step Functions' RedriveExecution for the local stand-in: a FAILED, TIMED_OUT or ABORTED
 * Standard execution goes on from the top-level state it stopped in, with that state's input,
 * as AWS does (states that succeeded are not run again). Inside a Map or Parallel, AWS reruns
 * only the failed iterations; here the whole Map state runs again (the sweep's iterations are
 * idempotent).
 */
export interface RedrivePoint {
  readonly state: string;
  /** The state's input as it entered it (JSON text). */
  readonly input: string;
}

export const REDRIVABLE = new Set(["FAILED", "TIMED_OUT", "ABORTED"]);

interface Event {
  readonly type: string;
  readonly [details: string]: unknown;
}

const detailsOf = (event: Event, key: string): { name?: unknown; input?: unknown } | undefined => {
  const details = event[key];
  return typeof details === "object" && details !== null ? (details as { name?: unknown; input?: unknown }) : undefined;
};

/** The top-level state the execution stopped in, or undefined when it stopped in none. */
export const redrivePoint = (
  definition: Record<string, unknown>,
  history: readonly Event[],
): RedrivePoint | undefined => {
  const topLevel = new Set(Object.keys((definition.States ?? {}) as Record<string, unknown>));
  const open = new Map<string, string>();
  let last: string | undefined;
  for (const event of history) {
    const entered = event.type.endsWith("StateEntered") ? detailsOf(event, "stateEnteredEventDetails") : undefined;
    const exited = event.type.endsWith("StateExited") ? detailsOf(event, "stateExitedEventDetails") : undefined;
    if (typeof entered?.name === "string" && topLevel.has(entered.name)) {
      open.set(entered.name, typeof entered.input === "string" ? entered.input : "{}");
      last = entered.name;
    } else if (typeof exited?.name === "string" && topLevel.has(exited.name)) {
      open.delete(exited.name);
    }
  }
  const input = last === undefined ? undefined : open.get(last);
  return last === undefined || input === undefined ? undefined : { state: last, input };
};
