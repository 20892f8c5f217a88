import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  ALL_ROUTES,
  CONSUMERS,
  ENV,
  EVENT_FUNCTIONS,
  type FunctionDescription,
  LOG_SUBSCRIBERS,
  SECRETS,
  TASKS,
} from "../resources";
import { functionEnvironment, functionPolicy, type RolePolicy } from "../template/iam";
import { type CfnTemplate, TemplateResolver } from "../template/resolve";
import { cacheDir, pruneStale, sourceHash } from "./source-hash";
import { type RenderedWorkflow, renderWorkflows } from "./step-functions";

/**
 * The CDK app as the local runtime deploys it: synthesized in-process for the `local` stage
 * (physical names `aviaframe-local-…`, region `local`, account 000000000000, the names the
 * stand-ins use), so each local function gets exactly its template's environment and role.
 */
export const LOCAL_REGION = "local";
export const LOCAL_ACCOUNT = "000000000000";
export const LOCAL_STAGE = "local";

export interface DeployedFunction {
  /** Its construct id, e.g. `Route-createOrder`, `Task-bookOrder`: its name and access key id locally. */
  readonly name: string;
  readonly logicalId: string;
  /** Handler module under functions/handlers. */
  readonly handler: string;
  readonly timeoutMs: number;
  readonly memoryMb: number;
  /** Its environment exactly as the template gives it (intrinsics resolved). */
  readonly templateEnv: Readonly<Record<string, string>>;
  readonly policy: RolePolicy;
}

export interface DeployedApp {
  readonly functions: ReadonlyMap<string, DeployedFunction>;
  readonly workflows: readonly RenderedWorkflow[];
  /** Function name of a Lambda logical id (workflow tasks name them so). */
  functionOfLogicalId(logicalId: string): DeployedFunction;
}

/** Every function of the app by construct id, with its handler (lib/resources.ts). */
export const FUNCTION_HANDLERS: readonly [name: string, description: FunctionDescription][] = [
  ...ALL_ROUTES.map((route): [string, FunctionDescription] => [`Route-${route.operationId}`, route]),
  ...Object.entries(TASKS).map(([key, task]): [string, FunctionDescription] => [`Task-${key}`, task]),
  ...Object.entries(CONSUMERS).map(([key, fn]): [string, FunctionDescription] => [`Consumer-${key}`, fn]),
  ...Object.entries(EVENT_FUNCTIONS).map(([key, fn]): [string, FunctionDescription] => [`Event-${key}`, fn]),
  ...Object.entries(LOG_SUBSCRIBERS).map(([key, fn]): [string, FunctionDescription] => [`Log-${key}`, fn]),
];

/**
 * The stateful and stateless templates, synthesized by CDK, or read back from the cache of an
 * earlier synthesis of exactly these sources (every local runtime of a test run, every restart
 * of npm start, would otherwise pay CDK's import and synthesis again).
 */
const localTemplates = async (drctBaseUrl: string): Promise<CfnTemplate[]> => {
  // Synthesized for a stand-in DRCT URL and cached once; each runtime puts its own simulator's in.
  const forThisDrct = (text: string) => JSON.parse(text.replaceAll(DRCT_URL_STAND_IN, drctBaseUrl)) as CfnTemplate[];
  const dir = cacheDir("aviaframe-synth");
  const file = join(dir, `${sourceHash()}.json`);
  pruneStale(dir, sourceHash());
  try {
    return forThisDrct(readFileSync(file, "utf8"));
  } catch {
    // Not cached yet: synthesize.
  }
  const [{ App }, { Template }, { buildAviaframe }] = await Promise.all([
    import("aws-cdk-lib"),
    import("aws-cdk-lib/assertions"),
    import("../cloud/app"),
  ]);
  const app = new App({
    context: { "aws:cdk:bundling-stacks": [], stage: LOCAL_STAGE, tenants: [], drctBaseUrl: DRCT_URL_STAND_IN },
    builtinCloudFormationValidation: false,
  });
  const stacks = buildAviaframe(app, { account: LOCAL_ACCOUNT, region: LOCAL_REGION });
  const text = JSON.stringify([
    Template.fromStack(stacks.stateful).toJSON(),
    Template.fromStack(stacks.stateless).toJSON(),
  ]);
  mkdirSync(dir, { recursive: true });
  // Written aside and renamed: a concurrent runtime never reads half a file.
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
  return forThisDrct(text);
};

const DRCT_URL_STAND_IN = "https://drct-base-url.invalid/";

export const synthesizeLocalApp = async (drctBaseUrl: string): Promise<DeployedApp> => {
  const templates = await localTemplates(drctBaseUrl);
  const stateless = templates[1] ?? {};
  const resolver = new TemplateResolver(templates, { region: LOCAL_REGION, account: LOCAL_ACCOUNT });
  const lambdas = resolver.ofType("AWS::Lambda::Function");
  const functions = new Map<string, DeployedFunction>();
  for (const [name, description] of FUNCTION_HANDLERS) {
    const pattern = new RegExp(`^${name.replace("-", "")}Fn[0-9A-F]{8}$`);
    const [logicalId, resource] = lambdas.find(([id]) => pattern.test(id)) ?? [];
    if (logicalId === undefined || resource === undefined) throw new Error(`the CDK app has no function ${name}`);
    functions.set(name, {
      name,
      logicalId,
      handler: description.handler,
      timeoutMs: Number(resource.Properties?.Timeout ?? 3) * 1000,
      memoryMb: Number(resource.Properties?.MemorySize ?? 128),
      templateEnv: functionEnvironment(resolver, logicalId),
      policy: functionPolicy(resolver, logicalId),
    });
  }
  return {
    functions,
    workflows: renderWorkflows(stateless),
    functionOfLogicalId: (logicalId) => {
      const found = [...functions.values()].find((fn) => fn.logicalId === logicalId);
      if (found === undefined) throw new Error(`no function with logical id ${logicalId}`);
      return found;
    },
  };
};

export interface LocalPlumbing {
  /** AWS_ENDPOINT_URL_* the functions' SDK clients use (the IAM proxies). */
  readonly endpoints: Readonly<Record<"DYNAMODB" | "SQS" | "SFN" | "EVENTBRIDGE" | "API_GATEWAY", string>>;
  /** Queue URL in the template → the local queue's URL. */
  readonly queueUrl: (templateUrl: string) => string | undefined;
  readonly secretsDir: string;
  readonly piiKeyFile: string;
  /** Settings the developer or a test tunes (intervals, schedules, log level), for every function. */
  readonly settings: Readonly<Record<string, string>>;
}

/** Variables that tune behaviour rather than name a resource: passed through from the runtime's env. */
export const TUNABLE_ENV: readonly string[] = [
  ...Object.values(ENV).filter(
    (name) =>
      ![
        ENV.stage,
        ENV.eventBusName,
        ENV.piiKmsKeyArn,
        ENV.localPiiKeyFile,
        ENV.localSecretsDir,
        ENV.webhookSecretPrefix,
        ENV.serviceName,
        ENV.usagePlanStandard,
        ENV.usagePlanPremium,
      ].includes(name as never),
  ),
  "POWERTOOLS_DEV",
];

/**
 * A function's local environment: its template's, with each resource's name or URL mapped to
 * the local stand-in's, the local key file standing in for the KMS key (only for a function
 * given the key), the secrets directory standing in for Secrets Manager (only for a function
 * given a secret), its own credentials, and the runtime's tunable settings.
 */
export const localEnvironment = (fn: DeployedFunction, plumbing: LocalPlumbing): Record<string, string> => {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(fn.templateEnv)) {
    if (name === "NODE_OPTIONS") continue;
    env[name] = plumbing.queueUrl(value) ?? value;
  }
  if (env[ENV.piiKmsKeyArn] !== undefined) {
    delete env[ENV.piiKmsKeyArn];
    env[ENV.localPiiKeyFile] = plumbing.piiKeyFile;
  }
  const secretEnvs = [...Object.values(SECRETS).map((secret) => secret.env), ENV.webhookSecretPrefix];
  if (secretEnvs.some((name) => env[name] !== undefined)) env[ENV.localSecretsDir] = plumbing.secretsDir;
  for (const [name, value] of Object.entries(plumbing.settings)) {
    if (TUNABLE_ENV.includes(name) || name === "POWERTOOLS_LOG_LEVEL") env[name] = value;
  }
  return {
    ...env,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: fn.name,
    AWS_SECRET_ACCESS_KEY: "local",
    POWERTOOLS_TRACE_ENABLED: "false",
    POWERTOOLS_METRICS_DISABLED: "true",
    ...Object.fromEntries(
      Object.entries(plumbing.endpoints).map(([service, url]) => [`AWS_ENDPOINT_URL_${service}`, url]),
    ),
  };
};
