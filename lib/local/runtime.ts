import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { APIGatewayProxyResult, SQSBatchResponse } from "aws-lambda";
import { putTenant } from "../../functions/adapters/dynamodb/tenant-directory";
import { holdMsFromEnv, type RunningSimulator, startDrctSimulator } from "../drct-simulator/simulator";
import {
  CONSUMERS,
  ENV,
  PLANS,
  type PlanName,
  physicalName,
  QUEUES,
  type QueueDescription,
  type QueueKey,
  RETENTION_INTERVAL_HOURS,
  type RouteDescription,
  SECRETS,
  TABLES,
  usagePlanName,
  WORKFLOWS,
  type WorkflowKey,
} from "../resources";
import { type ApiHandler, startApiGateway } from "./api-gateway";
import { LocalApiKeys } from "./api-keys";
import { LOCAL_ACCOUNT, LOCAL_REGION, synthesizeLocalApp, TUNABLE_ENV } from "./deployed-app";
import { startLocalDynamo } from "./dynamodb";
import { type BusEvent, startLocalEventBus } from "./event-bus";
import type { Denial } from "./iam/policy-proxy";
import { dropCachedInventory } from "./inventory-sync";
import { type LocalFunctions, startLocalFunctions } from "./lambda/functions";
import type { OutboundCall } from "./lambda/outbound-calls";
import { makePrivateDir } from "./private-dir";
import { QueuePoller } from "./queue-poller";
import { ReconciliationSweeper } from "./reconciliation-sweeper";
import { LOCAL_DRCT_NOTIFICATION_SECRET, LOCAL_DRCT_TOKEN, SEED_TENANTS, type SeedTenant } from "./seed";
import { startLocalSqs } from "./sqs";
import { startLocalStepFunctions } from "./step-functions";

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const LOCAL_PREFIX = "aviaframe-local";
const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

export interface LocalRuntimeOptions {
  /** Public API port; 0 picks a free one. */
  readonly port?: number;
  /** DRCT simulator port; 0 picks a free one. Ignored when drctBaseUrl is set. */
  readonly simPort?: number;
  /** Where state lives; ":memory:" keeps it in memory. */
  readonly dataDir?: string;
  /** Use this DRCT instead of the embedded simulator (its token from DRCT_TOKEN). */
  readonly drctBaseUrl?: string;
  readonly drctToken?: string;
  /** How long the embedded simulator holds an unissued booking; default DRCT_SIM_HOLD_S (1800). */
  readonly simHoldS?: number;
  /** The secret DRCT signs its notifications with (DRCT_NOTIFICATION_SECRET); the simulator's own by default. */
  readonly drctNotificationSecret?: string;
  /** Extra environment for the handlers (tests tune intervals and log levels here). */
  readonly env?: Readonly<Record<string, string>>;
  /** Tenants to seed besides CONTRACT.md's two (tests and the bench use more agencies). */
  readonly extraTenants?: readonly SeedTenant[];
  readonly onError?: (error: unknown) => void;
  /** The operators' key (x-ops-key); default: OPS_KEY, else generated. */
  readonly opsKey?: string;
  /** Each function's AWS calls checked against its role (default on, as in AWS). */
  readonly enforceIam?: boolean;
  /** Hears each function invocation's outbound calls (the bench's AWS call and wave counts). */
  readonly onInvoked?: (functionName: string, calls: readonly OutboundCall[]) => void;
}

export interface LocalRuntime {
  readonly apiUrl: string;
  readonly simulatorUrl?: string;
  readonly simulator?: RunningSimulator["simulator"];
  readonly dataDir: string;
  readonly apiKeys: Readonly<Record<string, string>>;
  /** What operators send as `x-ops-key` on /ops/api. */
  readonly opsKey: string;
  readonly queueUrls: Record<QueueKey, string>;
  readonly dlqUrls: Record<QueueKey, string>;
  /** Events a bus target failed on every try (the undelivered-events DLQ in AWS). */
  readonly undeliveredEventsUrl: string;
  /** Events the bus delivered to its `log` targets. */
  readonly events: BusEvent[];
  /** The functions, each isolated with its own environment and role (tests inspect and revoke grants). */
  readonly functions: LocalFunctions;
  /** Resolves once no workflow execution is running (tests). */
  workflowsIdle(timeoutMs?: number): Promise<void>;
  /** Runs the reconciliation sweep now and waits for it. */
  reconcileNow(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the whole gateway on this machine: DRCT simulator, DynamoDB (dynalite), SQS
 * (fauxqs), the API Gateway stand-in, and the same handler modules Lambda runs, talking to
 * the stand-ins through the real AWS SDK clients (only the endpoints differ).
 *
 * Each function runs as its own Lambda (lib/local/lambda): worker threads with exactly the
 * environment the CDK app gives it, its own timeout, and its AWS calls checked against the
 * role the CDK app synthesizes (lib/local/iam). The runtime's own calls (seeding, pollers,
 * the schedule) use process.env, so one process runs one local runtime at a time.
 */
export const startLocalRuntime = async (options: LocalRuntimeOptions = {}): Promise<LocalRuntime> => {
  const inMemory = (options.dataDir ?? ".data") === ":memory:";
  const dataDir = inMemory ? mkdtempSync(join(tmpdir(), "aviaframe-")) : resolve(options.dataDir ?? ".data");
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const close of stops.reverse()) await close().catch(options.onError ?? (() => undefined));
    stops.length = 0;
    if (inMemory) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    makePrivateDir(dataDir);
    for (const dir of ["dynamodb", "sqs", "secrets"]) mkdirSync(join(dataDir, dir), { recursive: true, mode: 0o700 });

    let drctBaseUrl = options.drctBaseUrl;
    let dynamoEndpoint: string | undefined;
    let simulator: RunningSimulator | undefined;
    if (drctBaseUrl === undefined) {
      simulator = await startDrctSimulator({
        port: options.simPort ?? 4010,
        token: LOCAL_DRCT_TOKEN,
        stateFile: inMemory ? undefined : join(dataDir, "drct-simulator.json"),
        holdMs: options.simHoldS === undefined ? holdMsFromEnv() : options.simHoldS * 1000,
        onInventoryChange: async (change) => {
          if (dynamoEndpoint === undefined) return;
          await dropCachedInventory(
            dynamoEndpoint,
            {
              offers: physicalName(LOCAL_PREFIX, TABLES.offers.id),
              supplierState: physicalName(LOCAL_PREFIX, TABLES.supplierState.id),
            },
            change,
          );
        },
      });
      stops.push(() => simulator?.close() ?? Promise.resolve());
      drctBaseUrl = simulator.url;
    }
    const drctToken = simulator === undefined ? options.drctToken : LOCAL_DRCT_TOKEN;
    if (drctToken === undefined || drctToken === "") throw new Error("DRCT_TOKEN is required with DRCT_BASE_URL");
    writeFileSync(join(dataDir, "secrets", SECRETS.drctToken.id), drctToken, { mode: 0o600 });
    const notificationSecret = options.drctNotificationSecret ?? LOCAL_DRCT_NOTIFICATION_SECRET;
    writeFileSync(join(dataDir, "secrets", SECRETS.drctNotificationSecret.id), notificationSecret, { mode: 0o600 });
    // Generated once per DATA_DIR, as Secrets Manager generates it once per stage.
    const indexKeyFile = join(dataDir, "secrets", SECRETS.piiIndexKey.id);
    if (!existsSync(indexKeyFile)) writeFileSync(indexKeyFile, randomBytes(32).toString("base64"), { mode: 0o600 });
    for (const tenant of [...SEED_TENANTS, ...(options.extraTenants ?? [])]) {
      writeFileSync(
        join(dataDir, "secrets", `webhook-${tenant.item.tenant_id}.json`),
        JSON.stringify({ secrets: [tenant.webhookSecret] }),
        { mode: 0o600 },
      );
    }

    const dynamo = await startLocalDynamo({
      path: inMemory ? undefined : join(dataDir, "dynamodb"),
      prefix: LOCAL_PREFIX,
    });
    stops.push(() => dynamo.close());
    dynamoEndpoint = dynamo.endpoint;
    // API Gateway's keys: the seeded tenants' (as cdk deploy makes them) and those onboarding creates.
    const usagePlanOf = (plan: PlanName) => usagePlanName(LOCAL_PREFIX, plan);
    const apiKeys = new LocalApiKeys(
      new Set((Object.keys(PLANS) as PlanName[]).map(usagePlanOf)),
      inMemory ? undefined : join(dataDir, "apigateway", "api-keys.json"),
    );
    const apiKeysControlPlane = await apiKeys.listen();
    stops.push(() => apiKeysControlPlane.close());
    const sqs = await startLocalSqs({ dataDir: inMemory ? undefined : join(dataDir, "sqs"), prefix: LOCAL_PREFIX });
    stops.push(() => sqs.close());
    // The CDK app, synthesized for the local stage: each function's environment and role.
    const deployed = await synthesizeLocalApp(drctBaseUrl);
    let functions: LocalFunctions | undefined;
    const localFunctions = (): LocalFunctions => {
      if (functions === undefined) throw new Error("the functions are not started yet");
      return functions;
    };
    const bus = await startLocalEventBus({
      busName: `${LOCAL_PREFIX}-events`,
      logFile: inMemory ? undefined : join(dataDir, "events.jsonl"),
      invoke: async (target, event) => {
        await localFunctions().get(`Event-${target}`).invoke(event);
      },
      onError: options.onError ?? ((error) => console.error(error)),
      // As the rule target's DLQ and the dispatcher's on-failure destination do in AWS.
      onUndelivered: async (event, error) => {
        const client = new SQSClient({
          endpoint: sqs.endpoint,
          region: "local",
          credentials: LOCAL_CREDENTIALS,
          useQueueUrlAsEndpoint: false,
        });
        const reason = error instanceof Error ? error : new Error(String(error));
        await client
          .send(
            new SendMessageCommand({
              QueueUrl: sqs.undeliveredEventsUrl,
              MessageBody: JSON.stringify(event),
              MessageAttributes: {
                ERROR_CODE: { DataType: "String", StringValue: reason.name },
                ERROR_MESSAGE: { DataType: "String", StringValue: reason.message.slice(0, 256) },
              },
            }),
          )
          .finally(() => client.destroy());
      },
    });
    stops.push(() => bus.close());

    Object.assign(process.env, {
      AWS_REGION: "eu-west-1",
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: bus.endpoint,
      [ENV.eventBusName]: bus.busName,
      POWERTOOLS_SERVICE_NAME: "aviaframe",
      POWERTOOLS_TRACE_ENABLED: "false",
      POWERTOOLS_METRICS_DISABLED: "true",
      [ENV.stage]: "local",
      [ENV.drctBaseUrl]: drctBaseUrl,
      [ENV.localSecretsDir]: join(dataDir, "secrets"),
      [ENV.localPiiKeyFile]: join(dataDir, "secrets", "pii.key"),
      ...Object.fromEntries(Object.values(TABLES).map((table) => [table.env, physicalName(LOCAL_PREFIX, table.id)])),
      ...Object.fromEntries(Object.entries(QUEUES).map(([key, queue]) => [queue.env, sqs.queueUrls[key as QueueKey]])),
      ...options.env,
    });

    // The workflows exactly as synthesized, each Lambda task invoking that task's function.
    const stepFunctions = await startLocalStepFunctions({
      // The same CDK chains are rendered and validated against the ASL schema in the workflow
      // tests (test/integration/local-step-functions.test.ts); every runtime need not repeat it.
      validateAsl: false,
      workflows: deployed.workflows.map((workflow) => ({
        name: workflow.name ?? workflow.logicalId,
        definition: workflow.definition,
        taskHandlers: Object.fromEntries(
          Object.entries(workflow.lambdaTasks).map(([state, logicalId]) => [
            state,
            (input: unknown) => localFunctions().get(deployed.functionOfLogicalId(logicalId).name).invoke(input),
          ]),
        ),
      })),
      onError: options.onError ?? ((error) => console.error(error)),
      stateFile: inMemory ? undefined : join(dataDir, "stepfunctions", "executions.json"),
    });
    stops.push(() => stepFunctions.close());
    process.env.AWS_ENDPOINT_URL_SFN = stepFunctions.endpoint;
    const workflowArn = (key: WorkflowKey) =>
      stepFunctions.stateMachineArn(physicalName(LOCAL_PREFIX, WORKFLOWS[key].id));
    for (const key of Object.keys(WORKFLOWS) as WorkflowKey[]) process.env[WORKFLOWS[key].env] = workflowArn(key);

    const localQueueUrls = [...Object.values(sqs.queueUrls), ...Object.values(sqs.dlqUrls)];
    const settingNames = [...TUNABLE_ENV, "POWERTOOLS_LOG_LEVEL"];
    functions = await startLocalFunctions({
      app: deployed,
      projectRoot: PROJECT_ROOT,
      upstreams: {
        dynamodb: dynamo.handle,
        sqs: sqs.endpoint,
        states: stepFunctions.endpoint,
        events: bus.endpoint,
        apigateway: apiKeysControlPlane.endpoint,
      },
      region: LOCAL_REGION,
      account: LOCAL_ACCOUNT,
      enforceIam: options.enforceIam ?? true,
      ...(options.onInvoked === undefined ? {} : { onInvoked: options.onInvoked }),
      onDenied: (denial: Denial) =>
        console.error(`AccessDenied: ${denial.caller} may not ${denial.action} on ${denial.resource}`),
      plumbing: {
        queueUrl: (value) =>
          value.startsWith("https://sqs.")
            ? localQueueUrls.find((url) => url.endsWith(`/${value.split("/").pop()}`))
            : undefined,
        secretsDir: join(dataDir, "secrets"),
        piiKeyFile: join(dataDir, "secrets", "pii.key"),
        settings: Object.fromEntries(
          settingNames
            .map((name): [string, string | undefined] => [name, options.env?.[name] ?? process.env[name]])
            .filter((entry): entry is [string, string] => entry[1] !== undefined),
        ),
      },
    });
    stops.push(() => localFunctions().close());

    const tenants = [...SEED_TENANTS, ...(options.extraTenants ?? [])];
    for (const tenant of tenants) {
      await putTenant(tenant.item);
      apiKeys.seed(tenant.item.api_key_id ?? tenant.item.tenant_id, tenant.apiKey, usagePlanOf(tenant.item.plan));
    }
    const opsKey = options.opsKey ?? (process.env.OPS_KEY || `ops_${randomBytes(24).toString("base64url")}`);
    const api = await startApiGateway({
      port: options.port ?? 3000,
      apiKeys,
      opsKey,
      // API Gateway's own refusals reach the refusal recorder as its access log's subscription does.
      onRefused: (refusal) => {
        const data = {
          messageType: "DATA_MESSAGE",
          owner: LOCAL_ACCOUNT,
          logGroup: `${LOCAL_PREFIX}-api-access-logs`,
          logStream: "local",
          subscriptionFilters: ["GatewayRefusals"],
          logEvents: [{ id: randomUUID(), timestamp: Date.now(), message: JSON.stringify(refusal) }],
        };
        localFunctions()
          .get("Log-gatewayRefusals")
          .invoke({ awslogs: { data: gzipSync(JSON.stringify(data)).toString("base64") } })
          .catch((error: unknown) => {
            // Refusals still on their way when the runtime stops are dropped, not reported.
            if (error instanceof Error && error.name === "Local.FunctionClosed") return;
            (options.onError ?? ((failure: unknown) => console.error(failure)))(error);
          });
      },
      loadHandler: async (route: RouteDescription): Promise<ApiHandler> => {
        const fn = localFunctions().get(`Route-${route.operationId}`);
        return async (event) => (await fn.invoke(event)) as APIGatewayProxyResult;
      },
      onError: options.onError ?? ((error) => console.error(error)),
    });
    // DRCT's notifications go to the gateway's inbound endpoint, signed with the shared secret.
    simulator?.simulator.setNotificationTarget({ url: `${api.url}/drct/notifications`, secret: notificationSecret });
    stops.push(
      () =>
        new Promise<void>((resolve) => {
          api.server.closeAllConnections();
          api.server.close(() => resolve());
        }),
    );

    // What SQS event source mappings do in AWS: pollers per consumed queue (its maximum concurrency).
    const startPoller = (queue: QueueKey): void => {
      const consumer = localFunctions().get(`Consumer-${queue}`);
      const poller = new QueuePoller({
        endpoint: sqs.endpoint,
        queueUrl: sqs.queueUrls[queue],
        queueArn: sqs.queueArns[queue],
        batchSize: QUEUES[queue].batchSize,
        functionName: `consumer-${queue}`,
        handler: async () => async (event) => (await consumer.invoke(event)) as SQSBatchResponse,
        onError: options.onError ?? ((error) => console.error(error)),
      });
      poller.start();
      stops.push(() => poller.stop());
    };
    for (const queue of Object.keys(CONSUMERS) as QueueKey[]) {
      const description: QueueDescription = QUEUES[queue];
      for (let index = 0; index < (description.maxConcurrency ?? 1); index += 1) startPoller(queue);
    }

    // What the EventBridge schedule does in AWS; also once at start, so a crash is healed at once.
    const sweeper = new ReconciliationSweeper(
      workflowArn("reconciliation"),
      Number(process.env[ENV.reconcileIntervalS] ?? 60) * 1000,
      options.onError ?? ((error) => console.error(error)),
    );
    sweeper.start();
    stops.push(() => sweeper.stop());
    // What the retention schedule does in AWS (not at start: nothing is due in a fresh run).
    const retention = setInterval(() => {
      localFunctions()
        .get("Task-eraseExpiredPersonalData")
        .invoke({})
        .catch(options.onError ?? ((error) => console.error(error)));
    }, RETENTION_INTERVAL_HOURS * 3_600_000);
    retention.unref();
    stops.push(async () => clearInterval(retention));

    return {
      apiUrl: api.url,
      simulatorUrl: simulator?.url,
      simulator: simulator?.simulator,
      dataDir,
      apiKeys: Object.fromEntries(tenants.map((tenant) => [tenant.item.tenant_id, tenant.apiKey])),
      opsKey,
      queueUrls: sqs.queueUrls,
      dlqUrls: sqs.dlqUrls,
      undeliveredEventsUrl: sqs.undeliveredEventsUrl,
      events: bus.delivered,
      functions: localFunctions(),
      workflowsIdle: async (timeoutMs) => {
        await stepFunctions.idle(timeoutMs);
        await bus.idle();
      },
      reconcileNow: async () => {
        await sweeper.runOnce();
        await stepFunctions.idle(30_000);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};
