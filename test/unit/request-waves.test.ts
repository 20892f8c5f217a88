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

  test("without DRCT, every wave is an AWS wave", () => {
    const cost = costOf("get", [call("DynamoDB.Query", 0, 3), call("DynamoDB.GetItem", 4, 6)], DRCT);
    expect(cost).toMatchObject({ awsCalls: 2, waves: 2, drctCalls: 0 });
  });
});
