import { App } from "aws-cdk-lib";
import { beforeAll, describe, expect, test } from "vitest";
import { buildAviaframe } from "../../lib/cloud/app";
import { MAX_BODY_BYTES } from "../../lib/resources";
import type { CfnTemplate, TemplateResolver } from "../../lib/template/resolve";
import { ENVIRONMENT, synthesized } from "./synthesized";

/** What a deploy must not get wrong, read from the synthesized templates. */

let templates: { stateful: CfnTemplate; stateless: CfnTemplate };
let resolver: TemplateResolver;

beforeAll(() => {
  ({ resolver, ...templates } = synthesized());
});

const ofType = (template: CfnTemplate, type: string) =>
  Object.entries(template.Resources ?? {}).filter(([, resource]) => resource.Type === type);

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

describe("alarms reach the operators", () => {
  test("the alarm topic's policy lets CloudWatch publish (enforceSSL alone leaves only a Deny)", () => {
    const [[, topic] = []] = ofType(templates.stateless, "AWS::SNS::Topic");
    const topicArn = resolver.resolve(topic?.Properties?.TopicName);
    const policies = ofType(templates.stateless, "AWS::SNS::TopicPolicy");
    const statements = policies.flatMap(([, policy]) =>
      asList((policy.Properties?.PolicyDocument as { Statement?: unknown } | undefined)?.Statement),
    ) as Record<string, unknown>[];
    const allows = statements.filter(
      (statement) =>
        statement.Effect === "Allow" &&
        JSON.stringify(statement.Principal).includes("cloudwatch.amazonaws.com") &&
        asList(statement.Action).some((action) => String(action).toLowerCase() === "sns:publish"),
    );
    expect(allows, `no Allow for CloudWatch on ${topicArn}`).toHaveLength(1);
  });
});

describe("order events are never dropped on the way to the dispatcher", () => {
  test("the rule's function target has a dead-letter queue, and the function an on-failure destination, the same one", () => {
    const functionTargets = ofType(templates.stateless, "AWS::Events::Rule")
      .flatMap(([, rule]) => rule.Properties?.Targets as Record<string, unknown>[])
      .filter((target) => resolver.resolve(target.Arn).includes(":function:"));
    expect(functionTargets.length).toBeGreaterThan(0);
    for (const target of functionTargets) {
      const dlq = resolver.resolve((target.DeadLetterConfig as { Arn?: unknown } | undefined)?.Arn ?? "none");
      expect(dlq).toMatch(/^arn:aws:sqs:/);
      const functionName = resolver.resolve(target.Arn).split(":function:")[1];
      const [, invokeConfig] =
        ofType(templates.stateless, "AWS::Lambda::EventInvokeConfig").find(
          ([, config]) => resolver.resolve(config.Properties?.FunctionName) === functionName,
        ) ?? [];
      const onFailure = (invokeConfig?.Properties?.DestinationConfig as { OnFailure?: { Destination?: unknown } })
        ?.OnFailure?.Destination;
      expect(onFailure === undefined ? "none" : resolver.resolve(onFailure), functionName).toBe(dlq);
      // EventBridge may write to it, and an alarm watches it.
      const queuePolicies = JSON.stringify(ofType(templates.stateless, "AWS::SQS::QueuePolicy"));
      expect(queuePolicies).toContain("events.amazonaws.com");
      const alarmed = ofType(templates.stateless, "AWS::CloudWatch::Alarm").some(([, alarm]) =>
        JSON.stringify(resolver.resolveDeep(alarm.Properties?.Dimensions ?? [])).includes(dlq.split(":").at(-1) ?? "?"),
      );
      expect(alarmed, `no alarm on ${dlq}`).toBe(true);
    }
  });
});

describe("queues", () => {
  test("each queue's visibility timeout is at least six times its consumer's timeout (AWS's guidance)", () => {
    const mappings = ofType(templates.stateless, "AWS::Lambda::EventSourceMapping");
    expect(mappings.length).toBeGreaterThan(0);
    for (const [, mapping] of mappings) {
      const queueArn = resolver.resolve(mapping.Properties?.EventSourceArn);
      const [, queue] =
        ofType(templates.stateful, "AWS::SQS::Queue").find(
          ([id]) => resolver.resolve({ "Fn::GetAtt": [id, "Arn"] }) === queueArn,
        ) ?? [];
      const functionName = (mapping.Properties?.FunctionName as { Ref?: string } | undefined)?.Ref ?? "";
      const timeout = Number(resolver.resource(functionName)?.Properties?.Timeout);
      expect(Number(queue?.Properties?.VisibilityTimeout), queueArn).toBeGreaterThanOrEqual(6 * timeout);
    }
  });
});

describe("the firewall agrees with the API", () => {
  test("bodies up to the API's limit pass the WAF; larger ones are blocked with 413", () => {
    const [[, acl] = []] = ofType(templates.stateless, "AWS::WAFv2::WebACL");
    const properties = acl?.Properties as Record<string, unknown>;
    const rules = properties.Rules as Record<string, Record<string, Record<string, unknown>>>[];
    const common = rules.find((rule) => rule.Name === ("AWSManagedRulesCommonRuleSet" as unknown));
    // The managed 8 KB body rule only counts.
    expect(common?.Statement?.ManagedRuleGroupStatement?.RuleActionOverrides).toEqual([
      { Name: "SizeRestrictions_BODY", ActionToUse: { Count: {} } },
    ]);
    expect(properties.AssociationConfig).toEqual({
      RequestBody: { API_GATEWAY: { DefaultSizeInspectionLimit: "KB_64" } },
    });
    const size = rules.find((rule) => rule.Statement?.SizeConstraintStatement !== undefined);
    expect(size?.Statement?.SizeConstraintStatement).toMatchObject({
      ComparisonOperator: "GT",
      Size: MAX_BODY_BYTES,
      FieldToMatch: { Body: { OversizeHandling: "MATCH" } },
    });
    expect(size?.Action).toMatchObject({ Block: { CustomResponse: { ResponseCode: 413 } } });
  });
});

describe("tenants' API keys", () => {
  test("a deploy never deletes them: keys and their plan attachments are retained", () => {
    for (const type of ["AWS::ApiGateway::ApiKey", "AWS::ApiGateway::UsagePlanKey"]) {
      const resources = ofType(templates.stateless, type);
      expect(resources.length).toBe(1);
      for (const [, resource] of resources) {
        expect((resource as { DeletionPolicy?: string }).DeletionPolicy, type).toBe("Retain");
        expect((resource as { UpdateReplacePolicy?: string }).UpdateReplacePolicy, type).toBe("Retain");
      }
    }
  });

  test("without the tenants context the app says so instead of silently dropping keys", () => {
    const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
    buildAviaframe(app, ENVIRONMENT);
    const warnings = app
      .synth()
      .stacks.flatMap((stack) => stack.messages)
      .filter((message) => message.level === "warning")
      .map((message) => String(message.entry.data));
    expect(warnings.some((warning) => warning.includes("tenants"))).toBe(true);
  });
});
