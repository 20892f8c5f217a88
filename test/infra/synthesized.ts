import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { buildAviaframe } from "../../lib/cloud/app";
import { type CfnTemplate, TemplateResolver } from "../../lib/template/resolve";

/**
 * The app as `cdk synth` would produce it for one tenant, synthesized once per test process
 * and shared by the suites of test/infra/deployment.test.ts (a synth costs seconds).
 */
export const ENVIRONMENT = { account: "123456789012", region: "eu-west-1" } as const;

export interface Synthesized {
  readonly stateful: CfnTemplate;
  readonly stateless: CfnTemplate;
  readonly resolver: TemplateResolver;
}

let cached: Synthesized | undefined;

export const synthesized = (): Synthesized => {
  if (cached === undefined) {
    const app = new App({
      context: { "aws:cdk:bundling-stacks": [], tenants: [{ tenantId: "agency-a", plan: "standard" }] },
    });
    const stacks = buildAviaframe(app, ENVIRONMENT);
    const stateful = Template.fromStack(stacks.stateful).toJSON() as CfnTemplate;
    const stateless = Template.fromStack(stacks.stateless).toJSON() as CfnTemplate;
    cached = { stateful, stateless, resolver: new TemplateResolver([stateful, stateless], ENVIRONMENT) };
  }
  return cached;
};
