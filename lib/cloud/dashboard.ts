import { Duration, Stack } from "aws-cdk-lib";
import type { RestApi } from "aws-cdk-lib/aws-apigateway";
import {
  Dashboard,
  GraphWidget,
  type IMetric,
  type IWidget,
  MathExpression,
  Metric,
  TextWidget,
} from "aws-cdk-lib/aws-cloudwatch";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import type { StateMachine } from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";
import { ACCOUNT_LIMITS, METRICS, type QueueKey, type RouteDescription, type SupplierOperation } from "../resources";
import { drctCalls, RUNBOOK } from "./alarms";

export interface OperatorDashboardProps {
  readonly prefix: string;
  readonly api: RestApi;
  readonly routes: readonly RouteDescription[];
  readonly queues: Readonly<Record<QueueKey, IQueue>>;
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  readonly workflows: Readonly<Record<string, StateMachine>>;
}

/** The dashboard's widgets by title: the runbook names them, a test checks each is there. */
export const DASHBOARD_WIDGETS = {
  drctOutcomes: "DRCT calls by outcome",
  drctLatency: "DRCT latency p50 / p95 / p99 (ms)",
  breaker: "DRCT breaker opened / closed",
  api4xx: "API 4xx by route",
  api5xx: "API 5xx by route",
  apiLatency: "API latency p95 by route (ms)",
  lambdaErrors: "Lambda errors and throttles",
  lambdaDuration: "Lambda duration p95 (ms)",
  queueDepth: "Queue depth",
  queueAge: "Oldest message age (s)",
  dlqDepth: "Dead-letter queue depth",
  workflows: "Workflow executions by status",
  callbacks: "Callbacks delivered / failed",
  searches: "Searches: cache, coalesced, DRCT",
  cacheHitRatio: "Search cache hit ratio (%)",
} as const;

const PERIOD = Duration.minutes(5);
const DRCT_OUTCOMES = ["2xx", "4xx", "401", "429", "5xx", "timeout", "network_error", "circuit_open"];

const ours = (metric: { name: string }, dimensions: Record<string, string>, statistic = "Sum", label?: string) =>
  new Metric({
    namespace: METRICS.namespace,
    metricName: metric.name,
    dimensionsMap: { service: "aviaframe", ...dimensions },
    statistic,
    period: PERIOD,
    ...(label === undefined ? {} : { label }),
  });

const graph = (title: string, left: IMetric[], width = 8) => new GraphWidget({ title, left, width, height: 6 });

/**
 * One CloudWatch dashboard for the on-call engineer (docs/RUNBOOK.md says which widget
 * answers which alarm): DRCT, the API, the functions, the queues, the workflows, callbacks
 * and searches.
 */
export class OperatorDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperatorDashboardProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    const route = (metricName: string, statistic: string) =>
      props.routes.map(
        (route) =>
          new Metric({
            namespace: "AWS/ApiGateway",
            metricName,
            dimensionsMap: {
              ApiName: props.api.restApiName,
              Stage: props.api.deploymentStage.stageName,
              Method: route.method,
              Resource: route.path,
            },
            statistic,
            period: PERIOD,
            label: `${route.method} ${route.path}`,
          }),
      );
    const lambdaSearch = (metricName: string, statistic: string, label: string) =>
      new MathExpression({
        expression: `SEARCH('{AWS/Lambda,FunctionName} MetricName="${metricName}" "${stackName}"', '${statistic}', 300)`,
        label,
        period: PERIOD,
      });
    const operations = Object.keys(ACCOUNT_LIMITS) as SupplierOperation[];
    const latency = (statistic: string) =>
      operations.map((operation) =>
        ours(
          METRICS.drctLatency,
          { [METRICS.drctLatency.dimension]: operation },
          statistic,
          `${operation} ${statistic}`,
        ),
      );
    const searches = Object.fromEntries(
      METRICS.searches.values.map((source) => [source, ours(METRICS.searches, { source }, "Sum", source)]),
    );
    const workflowStatus = Object.entries(props.workflows).flatMap(([name, machine]) => [
      machine.metricStarted({ period: PERIOD, label: `${name} started` }),
      machine.metricSucceeded({ period: PERIOD, label: `${name} succeeded` }),
      machine.metricFailed({ period: PERIOD, label: `${name} failed` }),
      machine.metricTimedOut({ period: PERIOD, label: `${name} timed out` }),
      machine.metricAborted({ period: PERIOD, label: `${name} aborted` }),
    ]);
    const queues = Object.entries(props.queues) as [QueueKey, IQueue][];
    const rows: IWidget[][] = [
      [
        new TextWidget({
          markdown: `# ${props.prefix}\nAlarms and what to do: ${RUNBOOK}. Orders, timelines and redrive: the ops console (/ops, /ops/api).`,
          width: 24,
          height: 2,
        }),
      ],
      [
        graph(
          DASHBOARD_WIDGETS.drctOutcomes,
          DRCT_OUTCOMES.map((outcome) => drctCalls(outcome).with({ label: outcome })),
        ),
        graph(DASHBOARD_WIDGETS.drctLatency, [...latency("p50"), ...latency("p95"), ...latency("p99")]),
        graph(DASHBOARD_WIDGETS.breaker, [
          ours(METRICS.breakerOpened, {}, "Sum", "opened"),
          ours(METRICS.breakerClosed, {}, "Sum", "closed"),
        ]),
      ],
      [
        graph(DASHBOARD_WIDGETS.api4xx, route("4XXError", "Sum")),
        graph(DASHBOARD_WIDGETS.api5xx, route("5XXError", "Sum")),
        graph(DASHBOARD_WIDGETS.apiLatency, route("Latency", "p95")),
      ],
      [
        graph(DASHBOARD_WIDGETS.lambdaErrors, [
          lambdaSearch("Errors", "Sum", "errors"),
          lambdaSearch("Throttles", "Sum", "throttles"),
        ]),
        graph(DASHBOARD_WIDGETS.lambdaDuration, [lambdaSearch("Duration", "p95", "duration p95")]),
        graph(
          DASHBOARD_WIDGETS.workflows,
          workflowStatus.map((metric) => metric),
        ),
      ],
      [
        graph(
          DASHBOARD_WIDGETS.queueDepth,
          queues.map(([name, queue]) =>
            queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: "Maximum", label: name }),
          ),
        ),
        graph(
          DASHBOARD_WIDGETS.queueAge,
          queues.map(([name, queue]) =>
            queue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: "Maximum", label: name }),
          ),
        ),
        graph(
          DASHBOARD_WIDGETS.dlqDepth,
          Object.entries(props.deadLetterQueues).map(([name, queue]) =>
            queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: "Maximum", label: name }),
          ),
        ),
      ],
      [
        graph(
          DASHBOARD_WIDGETS.callbacks,
          METRICS.callbackAttempts.values.map((outcome) =>
            ours(METRICS.callbackAttempts, { [METRICS.callbackAttempts.dimension]: outcome }, "Sum", outcome),
          ),
        ),
        graph(DASHBOARD_WIDGETS.searches, Object.values(searches)),
        graph(DASHBOARD_WIDGETS.cacheHitRatio, [
          new MathExpression({
            expression: "100 * FILL(cache, 0) / (FILL(cache, 0) + FILL(coalesced, 0) + FILL(drct, 0))",
            usingMetrics: searches,
            label: "cache hits %",
            period: PERIOD,
          }),
        ]),
      ],
    ];
    this.dashboard = new Dashboard(this, "Dashboard", {
      dashboardName: `${props.prefix}-operations`,
      widgets: rows,
    });
  }
}
