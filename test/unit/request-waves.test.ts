import { describe, expect, test } from "vitest";
import { costOf } from "../../bench/aws-calls";
import { waveGroups } from "../../lib/local/lambda/outbound-calls";

const call = (target: string, startedAt: number, endedAt: number) => ({ target, startedAt, endedAt });
const DRCT = "drct.local:9000";

describe("sequential waves of a request's calls", () => {
  test("a call that starts before the earlier ones ended joins their wave", () => {
    const waves = waveGroups([call("a", 0, 10), call("b", 5, 20), call("c", 20, 30), call("d", 25, 26)]);
    expect(waves.map((wave) => wave.map((c) => c.target))).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
  });

  test("an AWS call made beside DRCT's is in DRCT's wave, counted apart", () => {
    const cost = costOf(
      "search",
      [
        call("DynamoDB.GetItem", 0, 5),
        call("DynamoDB.PutItem", 6, 8),
        call(`http:${DRCT}`, 7, 40),
        call("DynamoDB.PutItem", 41, 45),
        call("DynamoDB.UpdateItem", 41, 46),
      ],
      DRCT,
    );
    expect(cost).toMatchObject({ awsCalls: 4, waves: 2, drctCalls: 1 });
  });

  test("bookkeeping in flight across dependent steps neither merges them nor counts as one", () => {
    const usage = { ...call("DynamoDB.UpdateItem", 0, 30), bookkeeping: "usage count" };
    const steps = [
      call("DynamoDB.GetItem", 1, 5),
      call("DynamoDB.PutItem", 6, 10),
      call("DynamoDB.UpdateItem", 11, 15),
    ];
    // Counted as before, the usage write (0–30) makes the three dependent steps look like one.
    expect(waveGroups([usage, ...steps])).toHaveLength(1);
    expect(costOf("search", [usage, ...steps], DRCT)).toMatchObject({ awsCalls: 4, waves: 3 });
  });

  test("without DRCT, every wave is an AWS wave", () => {
    const cost = costOf("get", [call("DynamoDB.Query", 0, 3), call("DynamoDB.GetItem", 4, 6)], DRCT);
    expect(cost).toMatchObject({ awsCalls: 2, waves: 2, drctCalls: 0 });
  });
});
