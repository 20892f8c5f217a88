import { CfnWebACL, CfnWebACLAssociation } from "aws-cdk-lib/aws-wafv2";
import type { Construct } from "constructs";

export interface ApiFirewallProps {
  readonly prefix: string;
  readonly stageArn: string;
  /** The API's own body limit: the firewall inspects and allows bodies up to it. */
  readonly maxBodyBytes: number;
}

const visibility = (metricName: string) => ({
  cloudWatchMetricsEnabled: true,
  metricName,
  sampledRequestsEnabled: true,
});

const managedRule = (name: string, priority: number, overrides: readonly string[] = []): CfnWebACL.RuleProperty => ({
  name,
  priority,
  overrideAction: { none: {} },
  statement: {
    managedRuleGroupStatement: {
      vendorName: "AWS",
      name,
      ...(overrides.length === 0
        ? {}
        : { ruleActionOverrides: overrides.map((rule) => ({ name: rule, actionToUse: { count: {} } })) }),
    },
  },
  visibilityConfig: visibility(name),
});

/** WAF's API Gateway inspection limits, in bytes, and the setting that selects each. */
const INSPECTION_LIMITS: [bytes: number, setting: string][] = [
  [16 * 1024, "KB_16"],
  [32 * 1024, "KB_32"],
  [48 * 1024, "KB_48"],
  [64 * 1024, "KB_64"],
];

/**
 * The regional WAF in front of the API stage: AWS's common and known-bad-input rules, a rate
 * limit per IP, and the API's own body limit. The common rule set's SizeRestrictions_BODY
 * would block bodies over 8 KB, which the API accepts up to `maxBodyBytes`: it only counts,
 * the firewall inspects the body up to that size and blocks what is larger with the
 * contract's 413 envelope.
 */
export const apiFirewall = (scope: Construct, props: ApiFirewallProps): CfnWebACL => {
  const limit = INSPECTION_LIMITS.find(([bytes]) => bytes >= props.maxBodyBytes);
  if (limit === undefined) throw new Error(`WAF cannot inspect ${props.maxBodyBytes} bytes of a body`);
  const firewall = new CfnWebACL(scope, "Firewall", {
    scope: "REGIONAL",
    defaultAction: { allow: {} },
    visibilityConfig: visibility(`${props.prefix}-waf`),
    associationConfig: { requestBody: { API_GATEWAY: { defaultSizeInspectionLimit: limit[1] } } },
    customResponseBodies: {
      "payload-too-large": {
        contentType: "APPLICATION_JSON",
        content: JSON.stringify({
          error: {
            code: "AVF_413_PAYLOAD_TOO_LARGE",
            message: `the request body is larger than ${props.maxBodyBytes} bytes`,
            retryable: false,
          },
        }),
      },
    },
    rules: [
      managedRule("AWSManagedRulesCommonRuleSet", 1, ["SizeRestrictions_BODY"]),
      managedRule("AWSManagedRulesKnownBadInputsRuleSet", 2),
      {
        name: "RateLimitPerIp",
        priority: 3,
        action: { block: {} },
        statement: { rateBasedStatement: { limit: 3000, aggregateKeyType: "IP" } },
        visibilityConfig: visibility("RateLimitPerIp"),
      },
      {
        name: "BodyLargerThanTheApiTakes",
        priority: 4,
        action: { block: { customResponse: { responseCode: 413, customResponseBodyKey: "payload-too-large" } } },
        statement: {
          sizeConstraintStatement: {
            fieldToMatch: { body: { oversizeHandling: "MATCH" } },
            comparisonOperator: "GT",
            size: props.maxBodyBytes,
            textTransformations: [{ priority: 0, type: "NONE" }],
          },
        },
        visibilityConfig: visibility("BodyLargerThanTheApiTakes"),
      },
    ],
  });
  new CfnWebACLAssociation(scope, "FirewallAssociation", {
    resourceArn: props.stageArn,
    webAclArn: firewall.attrArn,
  });
  return firewall;
};
