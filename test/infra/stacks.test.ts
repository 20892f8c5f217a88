import { App, Validations } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks, ServerlessChecks } from "cdk-nag";
import { beforeAll, describe, expect, test } from "vitest";
import { type AviaframeStacks, buildAviaframe } from "../../lib/cloud/app";
import {
  ALL_ROUTES,
  CONSUMERS,
  EVENT_FUNCTIONS,
  LOG_SUBSCRIBERS,
  QUEUES,
  routeTables,
  SECRETS,
  TABLE_ENTRIES,
  TASKS,
} from "../../lib/resources";

const ENVIRONMENT = { account: "123456789012", region: "eu-west-1" };

// Bundling is skipped here (it is exercised by `cdk synth` and the bench); the templates are the same.
const newApp = (context: Record<string, unknown> = {}) =>
  new App({ context: { "aws:cdk:bundling-stacks": [], ...context } });

let stacks: AviaframeStacks;
let stateful: Template;
let stateless: Template;

beforeAll(() => {
  const app = newApp({ tenants: [{ tenantId: "agency-a", plan: "standard" }] });
  stacks = buildAviaframe(app, ENVIRONMENT);
  stateful = Template.fromStack(stacks.stateful);
  stateless = Template.fromStack(stacks.stateless);
});

describe("cdk-nag AwsSolutions and ServerlessChecks", () => {
  test("synthesizes with no unacknowledged finding", () => {
    const app = newApp();
    buildAviaframe(app, ENVIRONMENT);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
    expect(() => app.synth()).not.toThrow();
  });

  test("every acknowledgement carries a reason", () => {
    const app = newApp();
    const built = buildAviaframe(app, ENVIRONMENT);
    const acknowledgements = [built.stateful, built.stateless].flatMap((stack) =>
      stack.node
        .findAll()
        .flatMap((construct) =>
          construct.node.metadata
            .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
            .flatMap((entry) => Object.values(entry.data as Record<string, string>)),
        ),
    );
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const reason of acknowledgements) expect(reason.length).toBeGreaterThan(30);
  });
});

describe("stateful stack", () => {
  test("one table per description, with keys, indexes, TTL, PITR and the data key", () => {
    for (const [, table] of TABLE_ENTRIES) {
      stateful.hasResourceProperties("AWS::DynamoDB::GlobalTable", {
        TableName: `aviaframe-dev-${table.id}`,
        KeySchema: Match.arrayWith([{ AttributeName: table.partitionKey, KeyType: "HASH" }]),
        ...(table.ttlAttribute === undefined
          ? {}
          : { TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true } }),
        Replicas: [
          Match.objectLike({
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            SSESpecification: { KMSMasterKeyId: Match.anyValue() },
          }),
        ],
      });
    }
    stateful.resourceCountIs("AWS::DynamoDB::GlobalTable", TABLE_ENTRIES.length);
  });

  test("FIFO queues with dead-letter queues, KMS and TLS-only policies", () => {
    for (const queue of Object.values(QUEUES)) {
      stateful.hasResourceProperties("AWS::SQS::Queue", {
        QueueName: `aviaframe-dev-${queue.id}.fifo`,
        FifoQueue: true,
        VisibilityTimeout: queue.visibilityTimeoutSeconds,
        RedrivePolicy: { maxReceiveCount: queue.maxReceiveCount, deadLetterTargetArn: Match.anyValue() },
        KmsMasterKeyId: Match.anyValue(),
      });
    }
    stateful.resourceCountIs("AWS::SQS::Queue", Object.keys(QUEUES).length * 2);
    stateful.hasResourceProperties("AWS::SQS::QueuePolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]),
      },
    });
  });

  test("the data key rotates", () => {
    stateful.hasResourceProperties("AWS::KMS::Key", { EnableKeyRotation: true });
  });
});

describe("stateless stack", () => {
  test("one Node 22 arm64 function per route, traced, with a retained log group", () => {
    stateless.resourcePropertiesCountIs(
      "AWS::Lambda::Function",
      { Runtime: "nodejs22.x", Architectures: ["arm64"], TracingConfig: { Mode: "Active" } },
      ALL_ROUTES.length +
        Object.keys(TASKS).length +
        Object.keys(CONSUMERS).length +
        Object.keys(EVENT_FUNCTIONS).length +
        Object.keys(LOG_SUBSCRIBERS).length,
    );
    stateless.hasResourceProperties("AWS::Logs::LogGroup", { RetentionInDays: 30 });
  });

  test("an operators' managed policy invokes /ops/api and nothing else", () => {
    const policies = Object.values(stateless.findResources("AWS::IAM::ManagedPolicy"));
    const operators = policies.find((policy) => policy.Properties.ManagedPolicyName === "aviaframe-dev-operators");
    const statements = operators?.Properties.PolicyDocument.Statement as { Action: string; Resource: unknown }[];
    expect(statements.map((statement) => statement.Action)).toEqual(["execute-api:Invoke"]);
    expect(JSON.stringify(statements[0]?.Resource)).toMatch(/\/dev\/\*\/ops\/api\/\*"/);
  });

  test("tenant routes require an API key; operator routes IAM (SigV4) and no key; health and OpenAPI neither", () => {
    for (const route of ALL_ROUTES) {
      stateless.hasResourceProperties("AWS::ApiGateway::Method", {
        HttpMethod: route.method,
        ApiKeyRequired: route.auth === "api-key",
        AuthorizationType: route.auth === "operator" ? "AWS_IAM" : "NONE",
        OperationName: route.operationId,
      });
    }
  });

  test("a usage plan per plan, tenant keys attached, access logs and a WAF", () => {
    stateless.resourceCountIs("AWS::ApiGateway::UsagePlan", 2);
    stateless.resourceCountIs("AWS::ApiGateway::ApiKey", 1);
    stateless.resourceCountIs("AWS::ApiGateway::UsagePlanKey", 1);
    stateless.hasResourceProperties("AWS::ApiGateway::Stage", {
      AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
      TracingEnabled: true,
    });
    // The key's id and the refusal's type are logged, never the key itself.
    const [stage] = Object.values(stateless.findResources("AWS::ApiGateway::Stage"));
    const format = String(stage?.Properties.AccessLogSetting.Format);
    expect(format).toContain("$context.identity.apiKeyId");
    expect(format).toContain("$context.error.responseType");
    expect(format).not.toMatch(/\$context\.identity\.apiKey\b(?!Id)/);
    stateless.hasResourceProperties("AWS::Logs::SubscriptionFilter", {
      FilterPattern: Match.stringLikeRegexp("INVALID_API_KEY"),
    });
    stateless.resourceCountIs("AWS::WAFv2::WebACLAssociation", 1);
  });

  test("API Gateway's own refusals answer the error envelope, a bad key with 401", () => {
    stateless.hasResourceProperties("AWS::ApiGateway::GatewayResponse", {
      ResponseType: "INVALID_API_KEY",
      StatusCode: "401",
      ResponseTemplates: { "application/json": Match.stringLikeRegexp("AVF_401_UNAUTHORIZED") },
    });
  });

  test("each function gets exactly the tables, secrets and bus its route declares", () => {
    const functions = stateless.findResources("AWS::Lambda::Function");
    for (const route of ALL_ROUTES) {
      const [, resource] = Object.entries(functions).find(([id]) => id.startsWith(`Route${route.operationId}Fn`)) ?? [];
      const variables = (resource?.Properties.Environment.Variables ?? {}) as Record<string, unknown>;
      for (const [key, table] of TABLE_ENTRIES) {
        if ((routeTables(route) as readonly string[]).includes(key))
          expect(variables[table.env]).toBe(`aviaframe-dev-${table.id}`);
        else expect(variables[table.env], `${route.operationId} must not see ${table.id}`).toBeUndefined();
      }
      for (const [key, secret] of Object.entries(SECRETS)) {
        expect(variables[secret.env] !== undefined, `${route.operationId} ${key}`).toBe(
          (route.secrets as readonly string[]).includes(key),
        );
      }
      expect(variables.EVENT_BUS_NAME !== undefined).toBe(route.publishesEvents !== undefined);
    }
  });

  test("operators are alarmed on DRCT 401/429/5xx/timeouts, the breaker, every dead-letter queue and stuck workflows", () => {
    for (const outcome of ["401", "429", "5xx", "timeout"]) {
      stateless.hasResourceProperties("AWS::CloudWatch::Alarm", {
        MetricName: "DrctCalls",
        Dimensions: Match.arrayWith([{ Name: "outcome", Value: outcome }]),
        AlarmActions: Match.anyValue(),
      });
    }
    stateless.hasResourceProperties("AWS::CloudWatch::Alarm", { MetricName: "SupplierBreakerOpened" });
    stateless.resourcePropertiesCountIs(
      "AWS::CloudWatch::Alarm",
      { MetricName: "ApproximateNumberOfMessagesVisible" },
      // The queues' dead-letter queues, and the one of the bus's function targets.
      Object.keys(QUEUES).length + 1,
    );
    stateless.hasResourceProperties("AWS::SNS::Topic", { KmsMasterKeyId: Match.anyValue() });
  });

  test("breaker events reach a log group operators can read", () => {
    stateless.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: { source: ["aviaframe.supplier"], "detail-type": ["supplier.degraded", "supplier.recovered"] },
    });
  });

  test("both workflows log and trace; the sweep runs on a schedule; the ticketing worker reports partial failures", () => {
    stateless.resourcePropertiesCountIs(
      "AWS::StepFunctions::StateMachine",
      { TracingConfiguration: { Enabled: true }, LoggingConfiguration: Match.objectLike({ Level: "ALL" }) },
      2,
    );
    stateless.hasResourceProperties("AWS::Scheduler::Schedule", { ScheduleExpression: "rate(1 minute)" });
    // A booking DRCT could not take yet is retried by the workflow before reconciliation.
    stateless.hasResourceProperties("AWS::StepFunctions::StateMachine", {
      DefinitionString: Match.objectLike({
        "Fn::Join": Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp("SupplierBusy")])]),
      }),
    });
    stateless.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      BatchSize: QUEUES.ticketing.batchSize,
    });
  });
});
