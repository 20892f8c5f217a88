/**
 * `LOG_FORMAT=pretty npm start`: the Powertools JSON log lines, one readable line each, for a
 * person watching a terminal. JSON stays the format everywhere else (AWS, tests, files):
 * this only rewrites what the local process writes to its stdout.
 */

/** Keys every line carries that a person does not need to read. */
const QUIET = new Set([
  "level",
  "message",
  "timestamp",
  "service",
  "correlation_id",
  "sampling_rate",
  "cold_start",
  "function_name",
  "function_request_id",
  "function_arn",
  "function_memory_size",
  "xray_trace_id",
]);

const LEVEL_COLORS: Record<string, number> = { DEBUG: 90, INFO: 36, WARN: 33, ERROR: 31, CRITICAL: 31 };

const value = (raw: unknown): string => {
  if (typeof raw === "string") return /\s/.test(raw) ? JSON.stringify(raw) : raw;
  return JSON.stringify(raw);
};

/** One JSON log line as `time LEVEL message key=value … [correlation id]`; any other text as it is. */
export const prettyLogLine = (line: string, colors = false): string => {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (record === null || typeof record !== "object" || typeof record.message !== "string") return line;
  const level = String(record.level ?? "INFO");
  const time = typeof record.timestamp === "string" ? record.timestamp.slice(11, 23) : "";
  const paint = (code: number, text: string) => (colors ? `\u001b[${code}m${text}\u001b[0m` : text);
  const fields = Object.entries(record)
    .filter(([key]) => !QUIET.has(key))
    .map(([key, raw]) => `${paint(90, `${key}=`)}${value(raw)}`);
  const correlation = typeof record.correlation_id === "string" ? paint(90, ` [${record.correlation_id}]`) : "";
  return `${time} ${paint(LEVEL_COLORS[level] ?? 0, level.padEnd(5))} ${record.message}${fields.length > 0 ? `  ${fields.join(" ")}` : ""}${correlation}`;
};

/** Rewrites every JSON line this process writes to stdout. */
export const prettifyStdout = (colors = process.stdout.isTTY === true): void => {
  const write = process.stdout.write.bind(process.stdout);
  let pending = "";
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = pending + (typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    const lines = text.split("\n");
    pending = lines.pop() ?? "";
    const callback = rest.find((arg) => typeof arg === "function") as (() => void) | undefined;
    if (lines.length === 0) {
      callback?.();
      return true;
    }
    return write(`${lines.map((line) => prettyLogLine(line, colors)).join("\n")}\n`, callback);
  }) as typeof process.stdout.write;
};
