import { join } from "node:path";
import { build } from "esbuild";
import {
  ENV,
  EVENTS,
  type EventSourceKey,
  QUEUES,
  type QueueKey,
  SECRETS,
  type SecretKey,
  TABLES,
  type TableKey,
  WORKFLOWS,
  type WorkflowKey,
} from "../../lib/resources";

/**
 * What a handler's code actually touches, read from its tree-shaken bundle (esbuild, as CDK
 * bundles it): the adapters' calls name their table, queue or secret by key, so the bundle
 * says which ones the function can reach — independently of what lib/resources.ts declares.
 */
export interface CodeNeeds {
  readonly tables: ReadonlySet<TableKey>;
  /** DynamoDB actions the bundle's commands use (GetCommand → dynamodb:GetItem, …). */
  readonly dynamoActions: ReadonlySet<string>;
  readonly sendsTo: ReadonlySet<QueueKey>;
  readonly changesVisibilityOn: ReadonlySet<QueueKey>;
  readonly secrets: ReadonlySet<SecretKey>;
  /** Env vars read through requiredEnv(ENV.x) or process.env.X. */
  readonly env: ReadonlySet<string>;
  readonly workflows: ReadonlySet<WorkflowKey>;
  /** Whether it lists a workflow's executions (ListExecutionsCommand). */
  readonly listsExecutions: boolean;
  /** The event sources its events name (EVENTS.x.source). */
  readonly eventSources: ReadonlySet<EventSourceKey>;
  /** Whether it reads secrets by name (Powertools getSecret), e.g. under WEBHOOK_SECRET_PREFIX. */
  readonly readsSecrets: boolean;
  /** Whether it creates secrets (CreateSecretCommand): onboarding's webhook signing secrets. */
  readonly createsSecrets: boolean;
  /** Whether it manages API Gateway API keys (CreateApiKeyCommand and the like). */
  readonly managesApiKeys: boolean;
  /** Workflows whose executions it reads and redrives (inspectedWorkflow("…"), the operators' views). */
  readonly inspectsWorkflows: ReadonlySet<WorkflowKey>;
  /** Queues whose dead-letter queue it sends to itself (sendToDeadLetter("…")). */
  readonly deadLettersTo: ReadonlySet<QueueKey>;
  /** Whether it reads the job queues' dead-letter queues (ReceiveMessageCommand on deadLetterEnvOf). */
  readonly peeksDeadLetters: boolean;
  /** Whether it redrives dead-letter queues (StartMessageMoveTaskCommand). */
  readonly redrivesDeadLetters: boolean;
}

const COMMAND_ACTIONS: Record<string, string> = {
  GetCommand: "dynamodb:GetItem",
  PutCommand: "dynamodb:PutItem",
  UpdateCommand: "dynamodb:UpdateItem",
  DeleteCommand: "dynamodb:DeleteItem",
  QueryCommand: "dynamodb:Query",
  ScanCommand: "dynamodb:Scan",
  BatchWriteCommand: "dynamodb:BatchWriteItem",
  BatchGetCommand: "dynamodb:BatchGetItem",
};

const matchesOf = (text: string, pattern: RegExp): string[] =>
  [...text.matchAll(pattern)].map((match) => match[1] ?? "").filter((value) => value !== "");

const ENV_BY_KEY = ENV as Record<string, string>;

export const codeNeeds = async (projectRoot: string, handler: string): Promise<CodeNeeds> => {
  const result = await build({
    entryPoints: [join(projectRoot, "functions/handlers", `${handler}.ts`)],
    bundle: true,
    write: false,
    platform: "node",
    format: "esm",
    target: "node22",
    packages: "external",
    treeShaking: true,
    logLevel: "silent",
  });
  const text = result.outputFiles.map((file) => file.text).join("\n");
  const keys = <K extends string>(pattern: RegExp, known: Record<K, unknown>) =>
    new Set(matchesOf(text, pattern).filter((key): key is K => key in known));
  return {
    tables: keys(/\btableName\d*\("(\w+)"\)/g, TABLES),
    dynamoActions: new Set(
      Object.entries(COMMAND_ACTIONS)
        .filter(([command]) => new RegExp(`new ${command}\\d*\\(`).test(text))
        .map(([, action]) => action),
    ),
    sendsTo: keys(/\bsendFifo\d*\("(\w+)"/g, QUEUES),
    changesVisibilityOn: keys(/\bretryLater\d*\("(\w+)"/g, QUEUES),
    secrets: keys(/\breadSecret\d*\("(\w+)"\)/g, SECRETS),
    env: new Set([
      ...matchesOf(text, /\brequiredEnv\d*\(ENV\.(\w+)\)/g).map((key) => ENV_BY_KEY[key] ?? key),
      ...matchesOf(text, /\bprocess\.env\.(PII_KMS_KEY_ARN)\b/g),
    ]),
    listsExecutions: /new ListExecutionsCommand\d*\(/.test(text),
    readsSecrets: /\bgetSecret\d*\(/.test(text),
    createsSecrets: /new CreateSecretCommand\d*\(/.test(text),
    managesApiKeys: /new CreateApiKeyCommand\d*\(/.test(text),
    inspectsWorkflows: keys(/\binspectedWorkflow\d*\("(\w+)"\)/g, WORKFLOWS),
    deadLettersTo: keys(/\bsendToDeadLetter\d*\("(\w+)"/g, QUEUES),
    peeksDeadLetters: /new ReceiveMessageCommand\d*\(/.test(text) && /\bdeadLetterEnvOf\d*\(/.test(text),
    redrivesDeadLetters: /new StartMessageMoveTaskCommand\d*\(/.test(text),
    workflows: keys(/\brequiredEnv\d*\(WORKFLOWS\.(\w+)\.env\)/g, WORKFLOWS),
    // The bus's rule table (EVENT_RULES, kept in every bundle that imports resources) names sources it does not publish.
    eventSources: new Set(
      matchesOf(text.replace(/\bEVENT_RULES\d* = \[[\s\S]*?\n\];/g, ""), /\bEVENTS\d*\.(\w+)\.source\b/g).filter(
        (key): key is EventSourceKey => key in EVENTS,
      ),
    ),
  };
};
