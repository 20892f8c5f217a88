import { App, Validations } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { beforeAll, describe, expect, test } from "vitest";
import { type AviaframeStacks, buildAviaframe } from "../../lib/cloud/app";
import { QUEUES, ROUTES, TABLE_ENTRIES, TABLES } from "../../lib/resources";

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

describe("cdk-nag AwsSolutions", () => {
  test("synthesizes with no unacknowledged finding", () => {
    const app = newApp();
    buildAviaframe(app, ENVIRONMENT);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
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
    stateful.resourceCountIs("AWS::DynamoDB::GlobalTable", Object.keys(TABLES).length);
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
      ROUTES.length,
    );
    stateless.hasResourceProperties("AWS::Logs::LogGroup", { RetentionInDays: 30 });
  });

  test("tenant routes require an API key; health and OpenAPI do not", () => {
    for (const route of ROUTES) {
      stateless.hasResourceProperties("AWS::ApiGateway::Method", {
        HttpMethod: route.method,
        ApiKeyRequired: route.auth === "api-key",
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
    stateless.resourceCountIs("AWS::WAFv2::WebACLAssociation", 1);
  });

  test("API Gateway's own refusals answer the error envelope, a bad key with 401", () => {
    stateless.hasResourceProperties("AWS::ApiGateway::GatewayResponse", {
      ResponseType: "INVALID_API_KEY",
      StatusCode: "401",
      ResponseTemplates: { "application/json": Match.stringLikeRegexp("AVF_401_UNAUTHORIZED") },
    });
  });

  test("the search function gets exactly its tables and the DRCT token secret", () => {
    const searchRoute = ROUTES.find((route) => route.operationId === "searchOffers");
    const functions = stateless.findResources("AWS::Lambda::Function", {
      Properties: { Environment: { Variables: { SECRET_DRCT_TOKEN: Match.anyValue() } } },
    });
    expect(Object.keys(functions)).toHaveLength(1);
    const variables = Object.values(functions)[0]?.Properties.Environment.Variables as Record<string, unknown>;
    for (const table of searchRoute?.tables ?? [])
      expect(variables[TABLES[table].env]).toBe(`aviaframe-dev-${TABLES[table].id}`);
    expect(variables[TABLES.orders.env]).toBeUndefined();
  });

  test("the order lifecycle state machine logs and traces", () => {
    stateless.hasResourceProperties("AWS::StepFunctions::StateMachine", {
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: "ALL" }),
    });
  });
});
