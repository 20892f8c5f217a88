/**
 * Coalescing claims made ahead (beside the cache read) against the DynamoDB stand-in: a claim
 * let go unused never makes an identical caller wait for a search nobody makes.
 */
import { describe, expect, test } from "vitest";
import { DynamoCoalescer } from "../../functions/adapters/dynamodb/search-flights";
import { settleBookkeeping } from "../../functions/shared/bookkeeping";
import { useLocalDynamo } from "./local-dynamo";

useLocalDynamo("flights-test", ["supplierState"]);

const WINDOW_MS = 400;

describe("DynamoCoalescer claims made ahead", () => {
  test("a claim dropped unused lets the next identical caller lead at once", async () => {
    const coalescer = new DynamoCoalescer<string>(WINDOW_MS);
    const deadline = Date.now() + 5_000;
    coalescer.begin("dropped-then-led", deadline).drop();
    await settleBookkeeping();
    const next = await new DynamoCoalescer<string>(WINDOW_MS).run("dropped-then-led", deadline, async () => "led");
    expect(next).toEqual({ value: "led", role: "leader" });
  });

  test("a caller that found the claim held takes over once it is dropped, well before the claim's lease ends", async () => {
    const deadline = Date.now() + 5_000;
    const ahead = new DynamoCoalescer<string>(WINDOW_MS).begin("held-then-dropped", deadline);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const started = Date.now();
    const waiting = new DynamoCoalescer<string>(WINDOW_MS).run("held-then-dropped", deadline, async () => "own");
    await new Promise((resolve) => setTimeout(resolve, 30));
    ahead.drop();
    expect(await waiting).toEqual({ value: "own", role: "leader" });
    expect(Date.now() - started).toBeLessThan(1_000);
    await settleBookkeeping();
  });

  test("a claim made ahead and run leads the call, and identical callers share its answer", async () => {
    const deadline = Date.now() + 5_000;
    const leader = new DynamoCoalescer<string>(WINDOW_MS).begin("ahead-and-run", deadline);
    let leading: () => void = () => undefined;
    const led = new Promise<void>((resolve) => (leading = resolve));
    let release: (value: string) => void = () => undefined;
    const answered = leader.run(() => {
      leading();
      return new Promise<string>((resolve) => (release = resolve));
    });
    await led;
    const joiner = new DynamoCoalescer<string>(WINDOW_MS).run("ahead-and-run", deadline, async () => "never");
    await new Promise((resolve) => setTimeout(resolve, 30));
    release("shared");
    expect(await answered).toEqual({ value: "shared", role: "leader" });
    await settleBookkeeping();
    expect(await joiner).toEqual({ value: "shared", role: "joined" });
  });
});
