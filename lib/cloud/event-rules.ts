import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import { type IEventBus, Rule } from "aws-cdk-lib/aws-events";
import { CloudWatchLogGroup, LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { SqsDestination } from "aws-cdk-lib/aws-lambda-destinations";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { EVENT_RULES, type EventFunctionKey } from "../resources";

export interface EventRulesProps {
  readonly prefix: string;
  readonly bus: IEventBus;
  readonly functions: Record<EventFunctionKey, IFunction>;
}

/**
 * The bus's rules (lib/resources.ts EVENT_RULES): `log` targets keep events for operators;
 * function targets are invoked asynchronously. An event that cannot be handed on is never
 * dropped: EventBridge puts what it could not invoke, and Lambda what failed all its async
 * tries, on one dead-letter queue (alarmed; operators redrive it to the bus). So an order's
 * outbox may be cleared once PutEvents has accepted its events.
 *
 * The queue is SQS-encrypted, not by the data key: EventBridge and Lambda's async invoke
 * write to it as services, and the data key's policy stays closed to services. It holds
 * events, which carry ids, never personal data.
 */
export const addEventRules = (scope: Construct, props: EventRulesProps): Queue => {
  const undelivered = new Queue(scope, "UndeliveredEvents", {
    queueName: `${props.prefix}-undelivered-events`,
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(undelivered).acknowledge({
    id: "AwsSolutions-SQS3",
    reason: "This queue is itself the dead-letter queue of the bus's targets; operators redrive it.",
  });
  Validations.of(undelivered).acknowledge({
    id: "Serverless::Serverless-SQSRedrivePolicy",
    reason: "A dead-letter queue has no dead-letter queue of its own: events stay 14 days for operators to redrive.",
  });
  for (const fn of Object.values(props.functions)) {
    fn.configureAsyncInvoke({
      onFailure: new SqsDestination(undelivered),
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
    });
  }
  const archiveKey = eventArchiveKey(scope, props.prefix);
  for (const rule of EVENT_RULES) {
    const target =
      rule.target === "log"
        ? new CloudWatchLogGroup(
            new LogGroup(scope, `EventLog-${rule.id}`, {
              logGroupName: `${archivePrefix(props.prefix)}/${rule.id}`,
              retention: RetentionDays.SIX_MONTHS,
              encryptionKey: archiveKey,
              removalPolicy: RemovalPolicy.DESTROY,
            }),
            { deadLetterQueue: undelivered },
          )
        : // EventBridge retries an invocation for up to a day; the dispatcher is idempotent per event.
          new LambdaFunction(props.functions[rule.target.function], {
            retryAttempts: 185,
            maxEventAge: Duration.hours(24),
            deadLetterQueue: undelivered,
          });
    new Rule(scope, `Rule-${rule.id}`, {
      eventBus: props.bus,
      description: rule.purpose,
      eventPattern: { source: [rule.source], detailType: [...rule.detailTypes] },
      targets: [target],
    });
  }
  return undelivered;
};

const archivePrefix = (prefix: string): string => `/aviaframe/${prefix}/events`;

/**
 * The event archive's own customer-managed key: CloudWatch Logs may use it for this stage's
 * event log groups only (encryption context condition). Events carry ids and statuses, never
 * personal data; the key keeps even those out of reach of anyone without it.
 */
const eventArchiveKey = (scope: Construct, prefix: string): Key => {
  const stack = Stack.of(scope);
  const key = new Key(scope, "EventArchiveKey", {
    description: `Aviaframe ${prefix}: the order and supplier event archive (CloudWatch Logs)`,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  key.addToResourcePolicy(
    new PolicyStatement({
      principals: [new ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
      resources: ["*"],
      conditions: {
        ArnLike: {
          "kms:EncryptionContext:aws:logs:arn": stack.formatArn({
            service: "logs",
            resource: "log-group",
            resourceName: `${archivePrefix(prefix)}/*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      },
    }),
  );
  return key;
};
