import { type Stack, Validations } from "aws-cdk-lib";
import type { IFunction } from "aws-cdk-lib/aws-lambda";

/**
 * cdk-nag ServerlessChecks findings that do not apply, each with its reason. What applies is
 * fixed instead: the bus's targets have a dead-letter queue, the dispatcher an on-failure
 * destination, the queues dead-letter queues.
 */

/** How each kind of function is invoked (by its construct id's prefix) and why it has no Lambda DLQ. */
const INVOCATION: Record<string, string> = {
  "Route-":
    "Invoked synchronously by API Gateway (proxy integration): a failure is the caller's error answer; a Lambda DLQ only ever receives asynchronous invocations.",
  "Task-":
    "Invoked synchronously by Step Functions (lambda:invoke): failures are the workflow's Retry/Catch and the reconciliation's; a Lambda DLQ only ever receives asynchronous invocations.",
  "Consumer-":
    "Invoked by an SQS event source mapping: failed records return to the queue and go to its dead-letter queue after maxReceiveCount; a Lambda DLQ only ever receives asynchronous invocations.",
  "Event-":
    "Invoked asynchronously by EventBridge with an on-failure destination (the undelivered-events queue), which records more than a Lambda DLQ would; the rule's target has the same queue as its DLQ.",
  "Log-":
    "Invoked by a CloudWatch Logs subscription on API Gateway's access log: the log group (kept three months) is the durable record of every refusal, the AuthEvents it writes an index for operators; a failed batch leaves nothing a DLQ would add.",
};

export const acknowledgeInvocationModel = (fn: IFunction, constructId: string): void => {
  const reason = Object.entries(INVOCATION).find(([prefix]) => constructId.startsWith(prefix))?.[1];
  if (reason === undefined) throw new Error(`no invocation model for ${constructId}`);
  const validations = Validations.of(fn);
  validations.acknowledge({ id: "Serverless::Serverless-LambdaDLQ", reason });
  validations.acknowledge({
    id: "Serverless::Serverless-LambdaLatestVersion",
    reason:
      "Pinned to nodejs22.x on purpose: the runtime the local stand-ins and the test suite run on; moving to a newer runtime is a tested change, not a silent one.",
  });
  if (constructId.startsWith("Consumer-")) {
    validations.acknowledge({
      id: "Serverless::Serverless-LambdaEventSourceMappingDestination",
      reason:
        "SQS event source mappings take no on-failure destination: failed records go to the queue's own dead-letter queue (redrive policy, maxReceiveCount).",
    });
  }
};

/** The singleton function behind CDK's AwsCustomResource (the events log groups' resource policy). */
const AWS_CUSTOM_RESOURCE_PROVIDER = "AWS679f53fac002430cb0da5b7982bd2287";

export const acknowledgeServerlessStack = (stack: Stack): void => {
  const provider = stack.node.tryFindChild(AWS_CUSTOM_RESOURCE_PROVIDER);
  if (provider === undefined) return;
  const validations = Validations.of(provider);
  for (const id of [
    "Serverless::Serverless-LambdaDefaultMemorySize",
    "Serverless::Serverless-LambdaTracing",
    "Serverless::Serverless-LambdaDLQ",
  ]) {
    validations.acknowledge({
      id,
      reason:
        "CDK's own singleton provider of the custom resource that writes the events log groups' resource policy: it runs at deploy time only, and its memory, tracing and DLQ are not configurable.",
    });
  }
};
