import type { App, Environment } from "aws-cdk-lib";
import { type PlanName, STAGE_SETTINGS, type StageSetting } from "../resources";
import { StatefulStack } from "./stateful-stack";
import { StatelessStack } from "./stateless-stack";
import type { TenantKeyProps } from "./tenant-keys";

export interface AviaframeStacks {
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

const contextString = (app: App, key: string, fallback: string): string => {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === "string" && value !== "" ? value : fallback;
};

/** undefined when the context has no `tenants` at all (the stack then keeps existing keys). */
const parseTenants = (value: unknown): TenantKeyProps[] | undefined => {
  if (value === undefined) return undefined;
  const list: unknown = typeof value === "string" ? JSON.parse(value) : value;
  if (!Array.isArray(list)) throw new Error("context tenants must be a list of {tenantId, plan}");
  return list.map((entry: { tenantId?: unknown; plan?: unknown }) => {
    if (typeof entry.tenantId !== "string" || (entry.plan !== "standard" && entry.plan !== "premium")) {
      throw new Error(`invalid tenant in context: ${JSON.stringify(entry)}`);
    }
    return { tenantId: entry.tenantId, plan: entry.plan as PlanName };
  });
};

/** Both stacks, configured from the app's context. */
export const buildAviaframe = (app: App, environment?: Environment): AviaframeStacks => {
  const stage = contextString(app, "stage", "dev");
  const prefix = `aviaframe-${stage}`;
  const env = environment ?? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  const stateful = new StatefulStack(app, `Aviaframe-${stage}-Stateful`, {
    env,
    prefix,
    retainData: contextString(app, "retainData", stage === "prod" ? "true" : "false") === "true",
  });
  const stateless = new StatelessStack(app, `Aviaframe-${stage}-Stateless`, {
    env,
    prefix,
    stage,
    state: stateful,
    drctBaseUrl: contextString(app, "drctBaseUrl", "https://api.drct.example/"),
    tenants: parseTenants(app.node.tryGetContext("tenants")),
    reconcileIntervalSeconds: Number(contextString(app, "reconcileIntervalSeconds", "60")),
    settings: Object.fromEntries(
      Object.entries(STAGE_SETTINGS).map(([name, fallback]) => [name, contextString(app, name, fallback)]),
    ) as Record<StageSetting, string>,
  });
  stateless.addStackDependency(stateful, "functions read the tables, queues and secrets");
  return { stateful, stateless };
};
