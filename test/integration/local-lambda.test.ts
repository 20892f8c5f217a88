import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { HandlerBundles } from "../../lib/local/lambda/bundle";
import { LocalFunction } from "../../lib/local/lambda/local-function";
import { PROJECT_ROOT } from "../../lib/local/runtime";

/** A function's execution environments, locally, behave like Lambda's. */
const HANDLER = `
import { threadId } from "node:worker_threads";
let invocations = 0;
export const handler = async (event, context) => {
  invocations += 1;
  if (event.sleepMs) await new Promise((resolve) => setTimeout(resolve, event.sleepMs));
  if (event.fail) throw Object.assign(new Error("refused"), { name: "SupplierBusy" });
  return {
    invocations,
    thread: threadId,
    mine: process.env.ONLY_MINE ?? null,
    leaked: process.env.LEAKED_FROM_THE_RUNTIME ?? null,
    remainingMs: context.getRemainingTimeInMillis(),
  };
};
`;

interface Answer {
  invocations: number;
  thread: number;
  mine: string | null;
  leaked: string | null;
  remainingMs: number;
}

let dir: string;
let bundles: HandlerBundles;
const made: LocalFunction[] = [];

const localFunction = (timeoutMs = 5_000) => {
  const fn = new LocalFunction({
    name: "Test-fn",
    code: async () => ({ handler: pathToFileURL(join(dir, "handler.mjs")).href, runtime: await bundles.runtime() }),
    env: { ONLY_MINE: "yes" },
    timeoutMs,
    memoryMb: 256,
    maxInstances: 3,
  });
  made.push(fn);
  return fn;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "local-lambda-"));
  writeFileSync(join(dir, "handler.mjs"), HANDLER);
  bundles = new HandlerBundles(PROJECT_ROOT);
  process.env.LEAKED_FROM_THE_RUNTIME = "must not be seen";
});

afterAll(async () => {
  await Promise.all(made.map((fn) => fn.close()));
  rmSync(dir, { recursive: true, force: true });
  delete process.env.LEAKED_FROM_THE_RUNTIME;
});

describe("a local function", () => {
  test("sees exactly its own environment, and its remaining time", async () => {
    const answer = (await localFunction().invoke({})) as Answer;
    expect(answer.mine).toBe("yes");
    expect(answer.leaked).toBeNull();
    expect(answer.remainingMs).toBeGreaterThan(4_000);
    expect(answer.remainingMs).toBeLessThanOrEqual(5_000);
  });

  test("keeps its warm state between invocations, in the same environment", async () => {
    const fn = localFunction();
    const first = (await fn.invoke({})) as Answer;
    const second = (await fn.invoke({})) as Answer;
    expect([first.invocations, second.invocations]).toEqual([1, 2]);
    expect(second.thread).toBe(first.thread);
  });

  test("runs concurrent invocations in environments of their own, at most its limit", async () => {
    const fn = localFunction();
    await fn.invoke({});
    const answers = (await Promise.all(Array.from({ length: 5 }, () => fn.invoke({ sleepMs: 400 })))) as Answer[];
    expect(new Set(answers.map((answer) => answer.thread)).size).toBe(3);
    expect(fn.instanceCount).toBe(3);
  });

  test("an invocation over its timeout is killed with its environment; the next starts afresh", async () => {
    const fn = localFunction(600);
    const warm = (await fn.invoke({})) as Answer;
    await expect(fn.invoke({ sleepMs: 5_000 })).rejects.toMatchObject({
      name: "Sandbox.Timedout",
      message: "Test-fn: Task timed out after 0.60 seconds",
    });
    const next = (await fn.invoke({})) as Answer;
    expect(next.invocations).toBe(1);
    expect(next.thread).not.toBe(warm.thread);
  });

  test("an error keeps its name, as Step Functions sees a Lambda's errorType", async () => {
    await expect(localFunction().invoke({ fail: true })).rejects.toMatchObject({
      name: "SupplierBusy",
      message: "refused",
    });
  });
});
