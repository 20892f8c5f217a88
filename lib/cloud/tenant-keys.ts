import { Annotations, RemovalPolicy, type Stack } from "aws-cdk-lib";
import { CfnUsagePlanKey, type RestApi, type UsagePlan } from "aws-cdk-lib/aws-apigateway";
import type { PlanName } from "../resources";

export interface TenantKeyProps {
  readonly tenantId: string;
  readonly plan: PlanName;
}

/**
 * One API key per tenant, attached to its plan's usage plan. Both are retained: a deploy
 * that leaves a tenant out (or forgets `-c tenants` altogether) must not delete a key an
 * agency is using; offboarding revokes the key on purpose (README: Deploying).
 */
export const addTenantKeys = (
  stack: Stack,
  api: RestApi,
  plans: Partial<Record<PlanName, UsagePlan>>,
  prefix: string,
  tenants: readonly TenantKeyProps[] | undefined,
): void => {
  if (tenants === undefined) {
    Annotations.of(stack).addWarningV2(
      "aviaframe:no-tenants-context",
      "No `tenants` context: this template makes no API keys (onboard tenants through /ops/api: npm run tenant -- create). Keys of earlier deploys are retained, not deleted, but they are no longer managed by this stack.",
    );
    return;
  }
  for (const tenant of tenants) {
    const key = api.addApiKey(`Key-${tenant.tenantId}`, {
      apiKeyName: `${prefix}-${tenant.tenantId}`,
      description: `API key of tenant ${tenant.tenantId}`,
    });
    key.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const plan = plans[tenant.plan];
    if (plan === undefined) throw new Error(`tenant ${tenant.tenantId}: no usage plan ${tenant.plan}`);
    plan.addApiKey(key);
    for (const child of plan.node.findAll()) {
      if (child instanceof CfnUsagePlanKey) child.applyRemovalPolicy(RemovalPolicy.RETAIN);
    }
  }
};
