import type { Stack } from "aws-cdk-lib";
import type { RestApi } from "aws-cdk-lib/aws-apigateway";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import type { StateMachine } from "aws-cdk-lib/aws-stepfunctions";
import type { QueueKey, RouteDescription, TableKey, WorkflowKey } from "../resources";
import { OperatorAlarms, type OperatorAlarmsProps } from "./alarms";
import { OperatorDashboard } from "./dashboard";
import { Layer } from "./layout";

export interface ObservabilityProps {
  readonly prefix: string;
  readonly stage: string;
  readonly api: RestApi;
  readonly routes: readonly RouteDescription[];
  readonly queues: Readonly<Record<QueueKey, IQueue>>;
  /** Each job queue's DLQ, and the bus targets' undelivered-events queue. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  readonly workflows: Readonly<Record<WorkflowKey, StateMachine>>;
  readonly backgroundFunctions: OperatorAlarmsProps["backgroundFunctions"];
  readonly tables: Readonly<Record<TableKey, ITableV2>>;
}

/** Tables every booking touches: a throttle on them is felt by agencies at once. */
const HOT_TABLES: readonly TableKey[] = ["orders", "idempotency", "supplierState", "offers", "deliveries"];

/** What operators watch: the alarms (with their runbook, docs/RUNBOOK.md) and the dashboard. */
export class Observability extends Layer {
  readonly alarms: OperatorAlarms;
  readonly dashboard: OperatorDashboard;

  constructor(scope: Stack, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.alarms = new OperatorAlarms(this, "Alarms", {
      prefix: props.prefix,
      stage: props.stage,
      deadLetterQueues: props.deadLetterQueues,
      queues: props.queues,
      reconciliation: props.workflows.reconciliation,
      orderLifecycle: props.workflows.orderLifecycle,
      api: props.api,
      backgroundFunctions: props.backgroundFunctions,
      hotTables: Object.fromEntries(HOT_TABLES.map((key) => [key, props.tables[key]])),
    });
    this.dashboard = new OperatorDashboard(this, "Dashboard", {
      prefix: props.prefix,
      api: props.api,
      routes: props.routes,
      queues: props.queues,
      deadLetterQueues: props.deadLetterQueues,
      workflows: props.workflows,
    });
  }
}
