import { CfnOutput, Stack, Token, Validations } from "aws-cdk-lib";
import type { RestApi } from "aws-cdk-lib/aws-apigateway";
import { ManagedPolicy, PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { FilterPattern, type ILogGroup, SubscriptionFilter } from "aws-cdk-lib/aws-logs";
import { LambdaDestination } from "aws-cdk-lib/aws-logs-destinations";
import type { Construct } from "constructs";
import { ENV, usagePlanName } from "../resources";

export { usagePlanName };

/**
 * API Gateway's access log line (JSON). Never `$context.identity.apiKey`: the key's id, not the
 * key. The refusal recorder (functions/handlers/logs) reads it.
 */
export const ACCESS_LOG_FORMAT = {
  requestId: "$context.requestId",
  ip: "$context.identity.sourceIp",
  userAgent: "$context.identity.userAgent",
  caller: "$context.identity.caller",
  user: "$context.identity.user",
  requestTime: "$context.requestTime",
  httpMethod: "$context.httpMethod",
  resourcePath: "$context.resourcePath",
  status: "$context.status",
  protocol: "$context.protocol",
  responseLength: "$context.responseLength",
  apiKeyId: "$context.identity.apiKeyId",
  errorResponseType: "$context.error.responseType",
};

/** The error response types of API Gateway's authentication refusals (domain/access.ts maps them). */
const GATEWAY_AUTH_RESPONSE_TYPES = [
  "INVALID_API_KEY",
  "ACCESS_DENIED",
  "FORBIDDEN",
  "MISSING_AUTHENTICATION_TOKEN",
  "INVALID_SIGNATURE",
  "EXPIRED_TOKEN",
  "UNAUTHORIZED",
];

/** API Gateway's own refusals (before any function runs) reach the recorder through its access log. */
export const subscribeGatewayRefusals = (scope: Construct, accessLogs: ILogGroup, recorder: LambdaFunction): void => {
  new SubscriptionFilter(scope, "GatewayRefusals", {
    logGroup: accessLogs,
    destination: new LambdaDestination(recorder),
    filterPattern: FilterPattern.any(
      ...GATEWAY_AUTH_RESPONSE_TYPES.map((type) => FilterPattern.stringValue("$.errorResponseType", "=", type)),
    ),
  });
};

/**
 * Onboarding and key rotation without a deploy: the function creates and deletes API keys,
 * moves them between the plans' usage plans, and creates tenants' webhook signing secrets.
 */
export const grantTenantAdministration = (
  fn: LambdaFunction,
  options: { readonly prefix: string; readonly webhookSecretPrefix: string; readonly webhookSecretsArn: string },
): void => {
  const stack = Stack.of(fn);
  const apiGatewayArn = (path: string) => stack.formatArn({ service: "apigateway", account: "", resource: path });
  // By name, looked up at run time: a reference to the usage plans (which depend on the stage,
  // which depends on every method) would make this function depend on itself.
  fn.addEnvironment(ENV.usagePlanStandard, usagePlanName(options.prefix, "standard"));
  fn.addEnvironment(ENV.usagePlanPremium, usagePlanName(options.prefix, "premium"));
  fn.addEnvironment(ENV.webhookSecretPrefix, options.webhookSecretPrefix);
  fn.addToRolePolicy(new PolicyStatement({ actions: ["apigateway:GET"], resources: [apiGatewayArn("/usageplans")] }));
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ["apigateway:POST", "apigateway:DELETE"],
      resources: [
        apiGatewayArn("/apikeys"),
        apiGatewayArn("/apikeys/*"),
        apiGatewayArn("/usageplans/*/keys"),
        apiGatewayArn("/usageplans/*/keys/*"),
      ],
    }),
  );
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ["secretsmanager:CreateSecret", "secretsmanager:PutSecretValue"],
      resources: [options.webhookSecretsArn],
    }),
  );
};

/**
 * What an operator's IAM role or user needs for /ops/api (and nothing of the agencies' routes):
 * attach `<prefix>-operators` to whoever administers tenants.
 */
export const operatorsPolicy = (stack: Stack, api: RestApi, prefix: string, stage: string): ManagedPolicy => {
  const policy = new ManagedPolicy(stack, "OperatorsPolicy", {
    managedPolicyName: `${prefix}-operators`,
    description: "Calls the operators' API (/ops/api: tenants, keys, AuthEvents) of this stage",
    statements: [
      new PolicyStatement({
        actions: ["execute-api:Invoke"],
        resources: [api.arnForExecuteApi("*", "/ops/api/*", stage)],
      }),
    ],
  });
  const region = Token.isUnresolved(stack.region) ? "<AWS::Region>" : stack.region;
  const account = Token.isUnresolved(stack.account) ? "<AWS::AccountId>" : stack.account;
  Validations.of(policy).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:${region}:${account}:<${stack.getLogicalId(api.node.defaultChild as never)}>/${stage}/*/ops/api/*]`,
    reason: "Every method of every operators' route of this stage's API, and only those: the routes under /ops/api.",
  });
  new CfnOutput(stack, "OperatorsPolicyArn", {
    value: policy.managedPolicyArn,
    description: "Attach to operators' roles: SigV4 calls of /ops/api (npm run tenant)",
  });
  new CfnOutput(stack, "ApiUrl", { value: api.url, description: "The stage's invoke URL (npm run tenant --url)" });
  return policy;
};
