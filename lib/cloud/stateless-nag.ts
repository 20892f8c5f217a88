import type { Stack } from "aws-cdk-lib";
import { Token, Validations } from "aws-cdk-lib";
import { TABLE_ENTRIES, WORKFLOWS } from "../resources";
import { tableNameOf } from "./imported-state";
import { acknowledgeServerlessStack } from "./serverless-nag";

/** The stateless stack's cdk-nag findings that do not apply, each with its reason. */
export const acknowledgeStatelessFindings = (stack: Stack, prefix: string): void => {
  const acknowledge = (id: string, reason: string) => Validations.of(stack).acknowledge({ id, reason });
  acknowledge(
    "AwsSolutions-IAM5[Resource::*]",
    "Only X-Ray trace upload and Step Functions log delivery, whose actions support no resource-level scoping.",
  );
  for (const action of ["kms:GenerateDataKey*", "kms:ReEncrypt*"]) {
    acknowledge(
      `AwsSolutions-IAM5[Action::${action}]`,
      "CDK's KMS grant for reading and writing encrypted tables and queues, scoped to our one data key.",
    );
  }
  const region = Token.isUnresolved(stack.region) ? "<AWS::Region>" : stack.region;
  const account = Token.isUnresolved(stack.account) ? "<AWS::AccountId>" : stack.account;
  for (const [name, table] of TABLE_ENTRIES) {
    if ((table.globalIndexes ?? []).length === 0) continue;
    acknowledge(
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:dynamodb:${region}:${account}:table/${tableNameOf(prefix, name)}/index/*]`,
      "Queries on the table's own global secondary indexes.",
    );
  }
  acknowledge(
    `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:${region}:${account}:secret:${prefix}/webhook/*]`,
    "The callback sender reads every tenant's webhook signing secret, and onboarding creates them: that one prefix only.",
  );
  for (const path of ["/apikeys/*", "/usageplans/*/keys", "/usageplans/*/keys/*"]) {
    acknowledge(
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:apigateway:${region}::${path}]`,
      "Tenant administration creates and revokes API keys at run time (their ids cannot be known at deploy) and attaches them to the usage plans, which are found by name: a reference would make the function depend on its own API's deployment.",
    );
  }
  for (const workflow of Object.values(WORKFLOWS)) {
    acknowledge(
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${region}:${account}:execution:${prefix}-${workflow.id}:*]`,
      "The workflow's own executions, whose names are per order or per run: a resume checks whether the one before it still runs; operators read their history and redrive a failed one.",
    );
  }
  acknowledge(
    "AwsSolutions-L1",
    "Pinned to nodejs22.x on purpose: the runtime the local stand-ins and the test suite run on; moving to a newer runtime is a tested change, not a silent one.",
  );
  acknowledge(
    "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
    "The AWS-maintained least-privilege policy for writing a function's logs.",
  );
  acknowledge(
    "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
    "The AWS-maintained policy API Gateway needs to write execution and access logs.",
  );
  acknowledge(
    "AwsSolutions-APIG4",
    "Tenant routes: API Gateway API keys bound to usage plans; the handler resolves the tenant from the key id and checks its scopes and IP allowlist (agencies integrate server to server, so Cognito does not apply). Operators' routes (/ops/api) are IAM-authorized.",
  );
  acknowledgeServerlessStack(stack);
  acknowledge(
    "AwsSolutions-COG4",
    "Same as APIG4: agencies authenticate with API keys, operators with IAM, not Cognito users.",
  );
};
