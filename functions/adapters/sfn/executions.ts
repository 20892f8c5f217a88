import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  type ExecutionStatus,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  SFNClient,
  type HistoryEvent as SfnHistoryEvent,
} from "@aws-sdk/client-sfn";
import { WORKFLOWS, type WorkflowKey } from "../../../lib/resources";
import { AvfError } from "../../domain/errors";
import type { HistoryEvent } from "../../domain/ops";
import { requiredEnv } from "../../shared/config";
import type { ExecutionView, OpsWorkflows } from "../../use-cases/ops";

let client: SFNClient | undefined;
const sfn = (): SFNClient => (client ??= new SFNClient({ maxAttempts: 3 }));

const executionArnOf = (stateMachineArn: string, name: string): string =>
  `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;

const iso = (date: Date | undefined): string | undefined => date?.toISOString();

const view = (
  workflow: WorkflowKey,
  execution: { executionArn?: string; name?: string; status?: string; startDate?: Date; stopDate?: Date },
): ExecutionView => ({
  workflow,
  name: execution.name ?? "",
  execution_arn: execution.executionArn ?? "",
  status: execution.status ?? "UNKNOWN",
  ...(iso(execution.startDate) === undefined ? {} : { started_at: iso(execution.startDate) }),
  ...(iso(execution.stopDate) === undefined ? {} : { stopped_at: iso(execution.stopDate) }),
});

const detailsOf = (event: SfnHistoryEvent): { stateName?: string; error?: string; cause?: string } => {
  const entered = event.stateEnteredEventDetails ?? event.stateExitedEventDetails;
  const failed = event.executionFailedEventDetails ?? event.executionTimedOutEventDetails;
  return {
    ...(entered?.name === undefined ? {} : { stateName: entered.name }),
    ...(failed?.error === undefined ? {} : { error: failed.error }),
  };
};

/** How many of a workflow's newest executions are searched for an order's resumes. */
const RESUME_SEARCH_PAGES = 5;

/** A workflow operators may look into, its ARN read from the function's environment when first needed. */
export interface InspectedWorkflow {
  readonly key: WorkflowKey;
  readonly arn: () => string;
}

export const inspectedWorkflow = (key: WorkflowKey): InspectedWorkflow => ({
  key,
  arn: () => requiredEnv(WORKFLOWS[key].env),
});

/** Step Functions as operators see it: executions, the states each went through, and redrive. */
export const stepFunctionsOpsWorkflows = (workflows: readonly InspectedWorkflow[]): OpsWorkflows => {
  const keys = workflows.map((workflow) => workflow.key);
  const arnOf = (key: WorkflowKey) => {
    const workflow = workflows.find((candidate) => candidate.key === key);
    if (workflow === undefined) throw new Error(`workflow ${key} is not inspected here`);
    return workflow.arn();
  };
  const listOf = async (key: WorkflowKey, status: string | undefined, pages: number) => {
    const found: ExecutionView[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < pages; page += 1) {
      const answer = await sfn().send(
        new ListExecutionsCommand({
          stateMachineArn: arnOf(key),
          maxResults: 100,
          nextToken,
          ...(status === undefined ? {} : { statusFilter: status as ExecutionStatus }),
        }),
      );
      found.push(...(answer.executions ?? []).map((execution) => view(key, execution)));
      nextToken = answer.nextToken;
      if (nextToken === undefined) break;
    }
    return found;
  };
  return {
    ofOrder: async (orderId) => {
      const key: WorkflowKey = "orderLifecycle";
      const first = await sfn()
        .send(new DescribeExecutionCommand({ executionArn: executionArnOf(arnOf(key), orderId) }))
        .then((execution) => [view(key, execution)])
        .catch((error: unknown) => {
          if (error instanceof ExecutionDoesNotExist) return [];
          throw error;
        });
      const resumes = (await listOf(key, undefined, RESUME_SEARCH_PAGES)).filter((execution) =>
        execution.name.startsWith(`${orderId}-resume-`),
      );
      return [...first, ...resumes.reverse()];
    },
    history: async (executionArn) => {
      const events: HistoryEvent[] = [];
      let nextToken: string | undefined;
      do {
        const page = await sfn().send(
          new GetExecutionHistoryCommand({ executionArn, includeExecutionData: false, maxResults: 500, nextToken }),
        );
        for (const event of page.events ?? []) {
          events.push({ type: String(event.type), timestamp: iso(event.timestamp) ?? "", ...detailsOf(event) });
        }
        nextToken = page.nextToken;
      } while (nextToken !== undefined);
      return events;
    },
    list: async (status, limit) =>
      (await Promise.all(keys.map((key) => listOf(key, status, 1))))
        .flat()
        .sort((a, b) => (b.started_at ?? "").localeCompare(a.started_at ?? ""))
        .slice(0, limit),
    redrive: async (workflow, name) => {
      if (!keys.includes(workflow as WorkflowKey)) {
        throw new AvfError("AVF_404_NOT_FOUND", `no workflow ${workflow}; one of ${keys.join(", ")}`);
      }
      const answer = await sfn()
        .send(new RedriveExecutionCommand({ executionArn: executionArnOf(arnOf(workflow as WorkflowKey), name) }))
        .catch((error: unknown) => {
          const type = error instanceof Error ? error.name : "";
          if (type === "ExecutionDoesNotExist") throw new AvfError("AVF_404_NOT_FOUND", "no such execution");
          if (type === "ExecutionNotRedrivable" || type === "ExecutionLimitExceeded") {
            throw new AvfError("AVF_409_INVALID_STATE", error instanceof Error ? error.message : type);
          }
          throw error;
        });
      return { redrive_date: iso(answer.redriveDate) ?? new Date().toISOString() };
    },
  };
};
