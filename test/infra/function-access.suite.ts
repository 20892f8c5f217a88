import { beforeAll, describe, expect, test } from "vitest";
import { PROJECT_ROOT } from "../../lib/cloud/gateway-function";
import {
  ALL_ROUTES,
  CONSUMERS,
  deadLetterEnvOf,
  ENV,
  EVENT_FUNCTIONS,
  EVENTS,
  LOG_SUBSCRIBERS,
  PII_CONTEXT_KEY,
  PII_FIELDS,
  QUEUES,
  type QueueKey,
  ROUTES,
  SECRETS,
  TABLES,
  TASKS,
  WORKFLOWS,
} from "../../lib/resources";
import { functionEnvironment, functionPolicy, type RolePolicy } from "../../lib/template/iam";
import type { TemplateResolver } from "../../lib/template/resolve";
import { type CodeNeeds, codeNeeds } from "./code-needs";
import { synthesized } from "./synthesized";

/**
 * Every function, as synthesized, against what its code reads (its bundle, not
 * lib/resources.ts): each variable the code requires is in its environment, and its role
 * allows each call the code makes on the resource that variable names.
 */
const REGION = "eu-west-1";
const ACCOUNT = "123456789012";
const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;

const FUNCTIONS: [logicalPrefix: string, handler: string][] = [
  ...ALL_ROUTES.map((route): [string, string] => [`Route${route.operationId}Fn`, route.handler]),
  ...Object.entries(TASKS).map(([key, task]): [string, string] => [`Task${key}Fn`, task.handler]),
  ...Object.entries(CONSUMERS).map(([key, consumer]): [string, string] => [`Consumer${key}Fn`, consumer.handler]),
  ...Object.entries(EVENT_FUNCTIONS).map(([key, fn]): [string, string] => [`Event${key}Fn`, fn.handler]),
  ...Object.entries(LOG_SUBSCRIBERS).map(([key, fn]): [string, string] => [`Log${key}Fn`, fn.handler]),
];

/** Functions declared read-only (lib/resources.ts): every GET route. */
const READ_ONLY = new Set(
  ALL_ROUTES.filter((route) => "readOnly" in route && route.readOnly).map((route) => `Route${route.operationId}Fn`),
);
const READ_ACTIONS = new Set(["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchGetItem"]);

let resolver: TemplateResolver;
let dataKeyArn: string;
const needs = new Map<string, CodeNeeds>();

beforeAll(async () => {
  resolver = synthesized().resolver;
  const [dataKey] = resolver.ofType("AWS::KMS::Key").find(([id]) => id.startsWith("DataKey")) ?? [];
  dataKeyArn = arn("kms", `key/${dataKey}`);
  for (const [, handler] of FUNCTIONS) needs.set(handler, await codeNeeds(PROJECT_ROOT, handler));
});

const deployed = (logicalPrefix: string): { env: Record<string, string>; policy: RolePolicy } => {
  const [logicalId] = resolver.ofType("AWS::Lambda::Function").find(([id]) => id.startsWith(logicalPrefix)) ?? [];
  if (logicalId === undefined) throw new Error(`no function ${logicalPrefix}`);
  return { env: functionEnvironment(resolver, logicalId), policy: functionPolicy(resolver, logicalId) };
};

/** Variables a bundle reads on a path the function never takes, each with why. */
const NOT_NEEDED: Record<string, Record<string, string>> = {
  RoutehealthFn: {
    [ENV.eventBusName]:
      "health only reads the breaker's status; transitions (the only publisher, guarded by the variable) follow DRCT calls",
  },
};

/** Each missing variable or denied call, as `name: what`, so one failure lists them all. */
const problems = (logicalPrefix: string, code: CodeNeeds): string[] => {
  const { env, policy } = deployed(logicalPrefix);
  const found: string[] = [];
  const requireEnv = (name: string, expected?: string): string | undefined => {
    if (env[name] === undefined) found.push(`${logicalPrefix}: environment variable ${name} is not set`);
    else if (expected !== undefined && env[name] !== expected)
      found.push(`${logicalPrefix}: ${name}=${env[name]}, expected ${expected}`);
    return env[name];
  };
  const requireCall = (action: string, resource: string, context: Record<string, string> = {}) => {
    if (!policy.allows(action, resource, context)) {
      const condition = Object.keys(context).length === 0 ? "" : ` with ${JSON.stringify(context)}`;
      found.push(`${logicalPrefix}: AccessDenied ${action} on ${resource}${condition}`);
    }
  };
  // A read-only function's bundle may hold write paths it never takes (shared adapters): it is held to its reads.
  const readOnly = READ_ONLY.has(logicalPrefix);
  const actions = [...code.dynamoActions].filter((action) => !readOnly || READ_ACTIONS.has(action));
  for (const table of code.tables) {
    const name = `aviaframe-dev-${TABLES[table].id}`;
    requireEnv(TABLES[table].env, name);
    for (const action of actions) requireCall(action, arn("dynamodb", `table/${name}`));
    requireCall("kms:Decrypt", dataKeyArn);
  }
  for (const queue of code.sendsTo) {
    requireEnv(QUEUES[queue].env);
    requireCall("sqs:SendMessage", arn("sqs", `aviaframe-dev-${QUEUES[queue].id}.fifo`));
    requireCall("kms:GenerateDataKey", dataKeyArn);
  }
  for (const queue of code.changesVisibilityOn) {
    requireEnv(QUEUES[queue].env);
    requireCall("sqs:ChangeMessageVisibility", arn("sqs", `aviaframe-dev-${QUEUES[queue].id}.fifo`));
  }
  for (const secret of code.secrets) {
    const value = requireEnv(SECRETS[secret].env);
    if (value !== undefined) requireCall("secretsmanager:GetSecretValue", value);
  }
  for (const workflow of code.workflows) {
    requireEnv(WORKFLOWS[workflow].env, arn("states", `stateMachine:aviaframe-dev-${WORKFLOWS[workflow].id}`));
    requireCall("states:StartExecution", arn("states", `stateMachine:aviaframe-dev-${WORKFLOWS[workflow].id}`));
  }
  if (code.managesApiKeys) {
    const apiGateway = (path: string) => `arn:aws:apigateway:${REGION}::${path}`;
    requireCall("apigateway:GET", apiGateway("/usageplans"));
    requireCall("apigateway:POST", apiGateway("/apikeys"));
    requireCall("apigateway:DELETE", apiGateway("/apikeys/k3y1d"));
    requireCall("apigateway:POST", apiGateway("/usageplans/pl4n1d/keys"));
    requireCall("apigateway:DELETE", apiGateway("/usageplans/pl4n1d/keys/k3y1d"));
  }
  if (code.listsExecutions && code.inspectsWorkflows.size === 0) {
    // The sweep lists its own runs (the state machine ARN comes from the context object).
    requireCall("states:ListExecutions", arn("states", `stateMachine:aviaframe-dev-${WORKFLOWS.reconciliation.id}`));
  }
  for (const workflow of code.inspectsWorkflows) {
    const machine = `aviaframe-dev-${WORKFLOWS[workflow].id}`;
    requireEnv(WORKFLOWS[workflow].env, arn("states", `stateMachine:${machine}`));
    requireCall("states:ListExecutions", arn("states", `stateMachine:${machine}`));
    for (const action of ["states:DescribeExecution", "states:GetExecutionHistory", "states:RedriveExecution"]) {
      requireCall(action, arn("states", `execution:${machine}:ord_123`));
    }
  }
  const deadLetterQueue = (queue: QueueKey) => arn("sqs", `aviaframe-dev-${QUEUES[queue].id}-dlq.fifo`);
  for (const queue of code.deadLettersTo) {
    requireEnv(deadLetterEnvOf(QUEUES[queue]));
    requireCall("sqs:SendMessage", deadLetterQueue(queue));
    requireCall("kms:GenerateDataKey", dataKeyArn);
  }
  for (const queue of Object.keys(QUEUES) as QueueKey[]) {
    if (!code.peeksDeadLetters && !code.redrivesDeadLetters) break;
    requireEnv(deadLetterEnvOf(QUEUES[queue]));
    for (const action of [
      "sqs:GetQueueAttributes",
      "sqs:ReceiveMessage",
      "sqs:ChangeMessageVisibility",
      "kms:Decrypt",
    ]) {
      requireCall(action, action.startsWith("kms:") ? dataKeyArn : deadLetterQueue(queue));
    }
    if (!code.redrivesDeadLetters) continue;
    // SQS moves the messages as the caller: it must be allowed to take them from the DLQ and send them to the source.
    requireEnv(QUEUES[queue].env);
    const source = arn("sqs", `aviaframe-dev-${QUEUES[queue].id}.fifo`);
    for (const action of ["sqs:StartMessageMoveTask", "sqs:DeleteMessage"]) requireCall(action, deadLetterQueue(queue));
    for (const action of ["sqs:SendMessage", "sqs:GetQueueAttributes"]) requireCall(action, source);
    requireCall("kms:GenerateDataKey", dataKeyArn);
  }
  for (const name of code.env) {
    if (NOT_NEEDED[logicalPrefix]?.[name] !== undefined) continue;
    const value = requireEnv(name);
    if (value === undefined) continue;
    if (name === ENV.eventBusName) {
      for (const source of code.eventSources) {
        requireCall("events:PutEvents", arn("events", `event-bus/${value}`), {
          "events:source": EVENTS[source].source,
        });
      }
    }
    if (name === ENV.piiKmsKeyArn) {
      for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) {
        for (const field of PII_FIELDS) requireCall(action, value, { [PII_CONTEXT_KEY]: field });
      }
    }
    if (name === ENV.webhookSecretPrefix) {
      const secret = arn("secretsmanager", `secret:${value}/agency-a-AbCdEf`);
      if (code.readsSecrets) requireCall("secretsmanager:GetSecretValue", secret);
      if (code.createsSecrets)
        for (const action of ["CreateSecret", "PutSecretValue"]) requireCall(`secretsmanager:${action}`, secret);
    }
  }
  return found;
};

describe("every synthesized function can do what its code does", () => {
  test.each(FUNCTIONS)("%s", (logicalPrefix, handler) => {
    const code = needs.get(handler);
    if (code === undefined) throw new Error(`no bundle for ${handler}`);
    expect(problems(logicalPrefix, code)).toEqual([]);
  });

  test("the stage's settings reach the functions that ask for them: the retention job's days (default 90)", () => {
    expect(deployed("TaskeraseExpiredPersonalDataFn").env[ENV.piiRetentionDays]).toBe("90");
    expect(deployed("TaskbookOrderFn").env[ENV.piiRetentionDays]).toBeUndefined();
  });

  test("the bundle scan sees what it should (a known reader of each kind)", () => {
    const book = needs.get(TASKS.bookOrder.handler);
    expect([...(book?.tables ?? [])]).toContain("orders");
    expect(book?.env.has(ENV.piiKmsKeyArn)).toBe(true);
    const search = ROUTES.find((route) => route.operationId === "searchOffers");
    expect([...(needs.get(search?.handler ?? "")?.secrets ?? [])]).toEqual(["drctToken"]);
    expect([...(needs.get(CONSUMERS.callbacks.handler)?.changesVisibilityOn ?? [])]).toEqual(["callbacks"]);
    expect([...(needs.get(CONSUMERS.callbacks.handler)?.deadLettersTo ?? [])]).toEqual(["callbacks"]);
    expect([...(needs.get("ops/get-order")?.inspectsWorkflows ?? [])]).toEqual(["orderLifecycle"]);
    // authEvents: an operator route records its refused authentications, like every route with auth.
    expect(needs.get("ops/get-order")?.tables).toEqual(
      new Set(["orders", "tenants", "auditLog", "drctRequestLog", "deliveries", "authEvents"]),
    );
    expect(needs.get("ops/get-order")?.dynamoActions.has("dynamodb:UpdateItem")).toBe(false);
    expect(needs.get("ops/get-order")?.dynamoActions.has("dynamodb:DeleteItem")).toBe(false);
    expect(needs.get("ops/list-dead-letters")?.peeksDeadLetters).toBe(true);
    expect(needs.get("ops/redrive-dead-letters")?.redrivesDeadLetters).toBe(true);
  });
});
