import { ListExecutionsCommand, SFNClient } from "@aws-sdk/client-sfn";
import type { SweepRun, SweepRuns } from "../../use-cases/find-uncertain-orders";

let client: SFNClient | undefined;

/** Runs of a workflow as Step Functions lists them (RUNNING ones, newest first). */
export const stepFunctionsSweepRuns = (): SweepRuns => ({
  earlierRunStillRunning: async (run: SweepRun) => {
    client ??= new SFNClient({ maxAttempts: 3 });
    const running: { executionArn?: string; startDate?: Date }[] = [];
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new ListExecutionsCommand({ stateMachineArn: run.stateMachineArn, statusFilter: "RUNNING", nextToken }),
      );
      running.push(...(page.executions ?? []));
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    const mine = running.find((execution) => execution.executionArn === run.executionArn);
    const started = (execution: { startDate?: Date }) => execution.startDate?.getTime() ?? 0;
    return running.some(
      (other) =>
        other.executionArn !== run.executionArn &&
        (mine === undefined ||
          started(other) < started(mine) ||
          (started(other) === started(mine) && (other.executionArn ?? "") < run.executionArn)),
    );
  },
});
