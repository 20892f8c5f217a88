import { ArnFormat, Duration, Stack } from "aws-cdk-lib";
import type { RestApi } from "aws-cdk-lib/aws-apigateway";
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { Topic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import type { StateMachine } from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";
import { METRICS, type QueueKey, type TableKey } from "../resources";
import { type AlarmThresholds, thresholdsFor } from "./alarm-thresholds";

export interface OperatorAlarmsProps {
  readonly prefix: string;
  readonly stage: string;
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  readonly queues: Readonly<Record<QueueKey, IQueue>>;
  readonly reconciliation: StateMachine;
  readonly orderLifecycle: StateMachine;
  readonly api: RestApi;
  /**
   * Functions no API answer covers, whose errors and throttles alarm: `jobs` (workflow tasks,
   * queue consumers) and `asynchronous` (event targets, log subscribers). Two groups, as an
   * alarm's metric math may use at most 10 metrics.
   */
  readonly backgroundFunctions: {
    readonly jobs: readonly IFunction[];
    readonly asynchronous: readonly IFunction[];
  };
  /** Tables on the booking path whose throttling alarms. */
  readonly hotTables: Readonly<Partial<Record<TableKey, ITableV2>>>;
}

const FIVE_MINUTES = Duration.minutes(5);

export const drctCalls = (outcome: string) =>
  new Metric({
    namespace: METRICS.namespace,
    metricName: METRICS.drctCalls.name,
    dimensionsMap: { service: "aviaframe", [METRICS.drctCalls.dimension]: outcome },
    statistic: "Sum",
    period: FIVE_MINUTES,
  });

/** Refused authentications within 5 minutes that page an operator (an integration's mistake makes a few). */
export const AUTH_REFUSALS_SPIKE = 50;
/** The sum of one metric over several resources, as one series (an alarm may use up to 10 metrics). */
const sumOf = (label: string, metrics: readonly IMetric[]): MathExpression => {
  if (metrics.length > 10) throw new Error(`${label}: an alarm may use at most 10 metrics, not ${metrics.length}`);
  const usingMetrics = Object.fromEntries(metrics.map((metric, index) => [`m${index}`, metric]));
  return new MathExpression({
    expression: Object.keys(usingMetrics)
      .map((id) => `FILL(${id}, 0)`)
      .join(" + "),
    usingMetrics,
    label,
    period: FIVE_MINUTES,
  });
};

/** Where each alarm's runbook section is (docs/RUNBOOK.md has one `## <name>` per alarm). */
export const RUNBOOK = "docs/RUNBOOK.md";

/**
 * What wakes an operator, on one SNS topic, with an OK notification when it clears: DRCT
 * refusing our credentials, rate limiting or failing us, the breaker opening, anything in a
 * dead-letter queue, jobs waiting too long, the workflows not finishing, functions failing or
 * throttled, the API answering 5xx or slowly, DynamoDB throttling. Thresholds per stage
 * (alarm-thresholds.ts); each alarm's description points at its runbook section.
 */
export class OperatorAlarms extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly thresholds: AlarmThresholds;

  constructor(scope: Construct, id: string, props: OperatorAlarmsProps) {
    super(scope, id);
    this.thresholds = thresholdsFor(props.stage);
    const limits = this.thresholds;
    // A key of its own: CloudWatch may publish to an encrypted topic only if the key's policy
    // lets it, and the data key's policy stays closed to services.
    const key = new Key(this, "Key", { description: "Aviaframe operator alarms topic", enableKeyRotation: true });
    key.grant(new ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*");
    this.topic = new Topic(this, "Topic", {
      topicName: `${props.prefix}-alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    // enforceSSL gives the topic a policy, and a topic policy that only denies leaves CloudWatch
    // without the right to publish: alarms would fire into nothing.
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: "CloudWatchAlarmsPublish",
        principals: [new ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["sns:Publish"],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: {
            "aws:SourceArn": Stack.of(this).formatArn({
              service: "cloudwatch",
              resource: "alarm",
              resourceName: `${props.prefix}-*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    const action = new SnsAction(this.topic);
    const alarm = (name: string, metric: IMetric, threshold: number, description: string, periods = 1) => {
      const created = new Alarm(this, name, {
        alarmName: `${props.prefix}-${name}`,
        alarmDescription: `${description} Runbook: ${RUNBOOK}#${name}`,
        metric,
        threshold,
        evaluationPeriods: periods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      this.alarms.push(created);
    };
    alarm("drct-401", drctCalls("401"), limits.drct401, "DRCT refused our token: rotate the secret.");
    alarm(
      "drct-429",
      drctCalls("429"),
      limits.drct429,
      "DRCT rate-limited us: the account budget is mis-set or shared.",
    );
    alarm("drct-5xx", drctCalls("5xx"), limits.drct5xx, "DRCT is failing; the breaker may open.");
    alarm("drct-timeouts", drctCalls("timeout"), limits.drctTimeouts, "DRCT is not answering in time.");
    alarm(
      "breaker-opened",
      new Metric({
        namespace: METRICS.namespace,
        metricName: METRICS.breakerOpened.name,
        dimensionsMap: { service: "aviaframe" },
        statistic: "Sum",
        period: FIVE_MINUTES,
      }),
      1,
      "The DRCT circuit breaker opened: searches and bookings answer 503.",
    );
    alarm(
      "auth-refusals-spike",
      new Metric({
        namespace: METRICS.namespace,
        metricName: "AuthRefusals",
        dimensionsMap: { service: "aviaframe" },
        statistic: "Sum",
        period: FIVE_MINUTES,
      }),
      AUTH_REFUSALS_SPIKE,
      `${AUTH_REFUSALS_SPIKE}+ refused authentications in 5 minutes (unknown or revoked keys, suspended tenants, addresses outside allowlists, missing scopes): a leaked or mis-rotated key, or someone probing. GET /ops/api/auth-events says who, from where, and why.`,
    );
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      alarm(
        `dlq-${name}`,
        queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: "Maximum" }),
        1,
        `Messages dead-lettered from ${name}: inspect them in /ops, fix the cause, then redrive.`,
      );
    }
    for (const [name, limit] of [
      ["ticketing", limits.ticketingOldestS],
      ["callbacks", limits.callbacksOldestS],
    ] as const) {
      alarm(
        `${name}-oldest-message`,
        props.queues[name].metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: "Maximum" }),
        limit,
        `A ${name} job has waited more than ${limit} s: its consumer is failing, throttled or blocked.`,
      );
    }
    alarm(
      "reconciliation-failed",
      props.reconciliation.metricFailed({ period: Duration.minutes(15), statistic: "Sum" }),
      1,
      "The reconciliation sweep failed: uncertain orders are not being settled.",
    );
    alarm(
      "booking-timed-out",
      props.orderLifecycle.metricTimedOut({ period: Duration.minutes(15), statistic: "Sum" }),
      1,
      "An order workflow ran out of time: an order may be stuck unconfirmed, or held past its deadline.",
    );
    for (const [prefix, functions, what] of [
      ["lambda", props.backgroundFunctions.jobs, "A workflow task or queue consumer"],
      ["async-lambda", props.backgroundFunctions.asynchronous, "An event target or log subscriber"],
    ] as const) {
      alarm(
        `${prefix}-errors`,
        sumOf(
          "errors",
          functions.map((fn) => fn.metricErrors({ period: FIVE_MINUTES, statistic: "Sum" })),
        ),
        limits.lambdaErrors,
        `${what} failed (route functions show as api-5xx).`,
      );
      alarm(
        `${prefix}-throttles`,
        sumOf(
          "throttles",
          functions.map((fn) => fn.metricThrottles({ period: FIVE_MINUTES, statistic: "Sum" })),
        ),
        limits.lambdaThrottles,
        `${what} was throttled: account concurrency is used up.`,
      );
    }
    alarm(
      "api-5xx",
      props.api.metricServerError({ period: FIVE_MINUTES, statistic: "Sum" }),
      limits.api5xx,
      "The API answered 5xx (a route function failed, timed out or was throttled).",
    );
    alarm(
      "api-latency-p95",
      props.api.metricLatency({ period: FIVE_MINUTES, statistic: "p95" }),
      limits.apiLatencyP95Ms,
      `The API's p95 latency is above ${limits.apiLatencyP95Ms} ms for 15 minutes.`,
      3,
    );
    const tables = Object.entries(props.hotTables) as [TableKey, ITableV2][];
    alarm(
      "dynamodb-throttles",
      sumOf(
        "throttled requests",
        tables.flatMap(([, table]) =>
          ["ReadThrottleEvents", "WriteThrottleEvents"].map((metricName) =>
            table.metric(metricName, { period: FIVE_MINUTES, statistic: "Sum" }),
          ),
        ),
      ),
      limits.dynamoThrottles,
      `DynamoDB throttled reads or writes on ${tables.map(([key]) => key).join(", ")}.`,
    );
  }
}
