import { ArnFormat, Duration, Stack } from "aws-cdk-lib";
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import { Topic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import type { StateMachine } from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";

export interface OperatorAlarmsProps {
  readonly prefix: string;
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  readonly reconciliation: StateMachine;
  readonly orderLifecycle: StateMachine;
}

const drctCalls = (outcome: string) =>
  new Metric({
    namespace: "Aviaframe",
    metricName: "DrctCalls",
    dimensionsMap: { service: "aviaframe", outcome },
    statistic: "Sum",
    period: Duration.minutes(5),
  });

/** Refused authentications within 5 minutes that page an operator (an integration's mistake makes a few). */
export const AUTH_REFUSALS_SPIKE = 50;

/**
 * What wakes an operator, on one SNS topic: DRCT refusing our credentials, DRCT rate
 * limiting or failing us, the breaker opening, anything in a dead-letter queue, and the
 * reconciliation or a booking workflow not finishing.
 */
export class OperatorAlarms extends Construct {
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: OperatorAlarmsProps) {
    super(scope, id);
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
    const alarm = (name: string, metric: Metric, threshold: number, description: string) => {
      new Alarm(this, name, {
        alarmName: `${props.prefix}-${name}`,
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(action);
    };
    alarm("drct-401", drctCalls("401"), 1, "DRCT refused our token: rotate the secret (README: Deploying).");
    alarm("drct-429", drctCalls("429"), 5, "DRCT rate-limited us: the account budget is mis-set or shared elsewhere.");
    alarm("drct-5xx", drctCalls("5xx"), 10, "DRCT is failing; the breaker may open.");
    alarm("drct-timeouts", drctCalls("timeout"), 10, "DRCT is not answering in time.");
    alarm(
      "breaker-opened",
      new Metric({
        namespace: "Aviaframe",
        metricName: "SupplierBreakerOpened",
        dimensionsMap: { service: "aviaframe" },
        statistic: "Sum",
        period: Duration.minutes(5),
      }),
      1,
      "The DRCT circuit breaker opened: searches and bookings answer 503.",
    );
    alarm(
      "auth-refusals-spike",
      new Metric({
        namespace: "Aviaframe",
        metricName: "AuthRefusals",
        dimensionsMap: { service: "aviaframe" },
        statistic: "Sum",
        period: Duration.minutes(5),
      }),
      AUTH_REFUSALS_SPIKE,
      `${AUTH_REFUSALS_SPIKE}+ refused authentications in 5 minutes (unknown or revoked keys, suspended tenants, addresses outside allowlists, missing scopes): a leaked or mis-rotated key, or someone probing. GET /ops/api/auth-events says who, from where, and why.`,
    );
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      alarm(
        `dlq-${name}`,
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: "Maximum" }),
        1,
        `Messages dead-lettered from ${name}: inspect, then redrive from the console.`,
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
  }
}
