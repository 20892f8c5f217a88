import { join } from "node:path";
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import type { IEventBus } from "aws-cdk-lib/aws-events";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { Architecture, type IFunction, Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import {
  deadLetterEnvOf,
  ENV,
  PII_CONTEXT_KEY,
  PII_FIELDS,
  type QueueDescription,
  SECRETS,
  type SecretKey,
  TABLES,
  type TableKey,
  type WorkflowDescription,
} from "../resources";

/** A workflow as a function sees it: by name, so functions and state machines never depend on each other. */
export interface WorkflowRef {
  readonly description: WorkflowDescription;
  readonly stateMachineArn: string;
  /** Its executions' ARN pattern (`…:execution:<name>:*`). */
  readonly executionsArn: string;
}

export const PROJECT_ROOT = join(import.meta.dirname, "../..");

/**
 * How every function is bundled, in esbuild's terms (bench/bundles.ts builds them the same
 * way). CommonJS: Lambda loads a CommonJS handler with require(), and the SDK clients the
 * bundle requires (@aws-sdk/*, which the runtime provides) then load as CommonJS too. From an
 * ES module bundle, each client went through Node's ESM loader, which scans a CommonJS
 * module's source for its exports (cjs-module-lexer) first: 15–45 ms of every cold start per
 * client here, more than the bundled code itself.
 */
export const LAMBDA_BUNDLE = {
  format: "cjs",
  target: "node22",
  minify: true,
  // The packages' ES module builds, which tree-shake better.
  mainFields: ["module", "main"],
  external: ["@aws-sdk/*"],
} as const;

export interface GatewayFunctionProps {
  /** Handler module under functions/handlers, without extension. */
  readonly handler: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeout?: Duration;
  readonly memorySize?: number;
  /** Files under node_modules the handler reads at run time, copied next to its bundle. */
  readonly bundledFiles?: readonly string[];
}

/**
 * Every Aviaframe Lambda: Node 22 on arm64, CommonJS bundle by esbuild (no Docker), X-Ray
 * tracing, a log group with a retention, and bind* methods that grant access and inject the
 * environment variable in one call, so permissions and configuration cannot drift apart.
 */
export class GatewayFunction extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: GatewayFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, "Logs", {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.fn = new NodejsFunction(this, "Fn", {
      entry: join(PROJECT_ROOT, "functions/handlers", `${props.handler}.ts`),
      handler: "handler",
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(28),
      tracing: Tracing.ACTIVE,
      logGroup,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, "package-lock.json"),
      environment: {
        NODE_OPTIONS: "--enable-source-maps",
        POWERTOOLS_SERVICE_NAME: "aviaframe",
        POWERTOOLS_LOG_LEVEL: "INFO",
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.CJS,
        target: LAMBDA_BUNDLE.target,
        minify: LAMBDA_BUNDLE.minify,
        sourceMap: true,
        mainFields: [...LAMBDA_BUNDLE.mainFields],
        externalModules: [...LAMBDA_BUNDLE.external],
        ...(props.bundledFiles === undefined || props.bundledFiles.length === 0
          ? {}
          : {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (inputDir: string, outputDir: string) =>
                  (props.bundledFiles ?? []).map((file) => `cp "${inputDir}/node_modules/${file}" "${outputDir}/"`),
              },
            }),
      },
    });
  }

  get function(): IFunction {
    return this.fn;
  }

  /** `append`: reads, plus PutItem of new records only (a read-only route still records its refusals). */
  bindTable(key: TableKey, table: ITableV2, access: "read" | "append" | "readWrite" = "readWrite"): this {
    if (access === "readWrite") table.grantReadWriteData(this.fn);
    else table.grantReadData(this.fn);
    if (access === "append") {
      table.grant(this.fn, "dynamodb:PutItem");
      table.encryptionKey?.grantEncrypt(this.fn);
    }
    this.fn.addEnvironment(TABLES[key].env, table.tableName);
    return this;
  }

  /**
   * Consumes the queue (an event source mapping, partial batch failures reported), and knows its
   * URL: a consumer delays a record's next try (ChangeMessageVisibility, which the mapping's
   * grant covers).
   */
  bindQueueConsumer(description: QueueDescription, queue: IQueue): this {
    this.fn.addEnvironment(description.env, queue.queueUrl);
    this.fn.addEventSource(
      new SqsEventSource(queue, {
        batchSize: description.batchSize,
        reportBatchItemFailures: true,
        // The event source mapping's maximum concurrency, when the queue's description sets one.
        ...(description.maxConcurrency === undefined ? {} : { maxConcurrency: description.maxConcurrency }),
      }),
    );
    return this;
  }

  bindQueue(description: QueueDescription, queue: IQueue): this {
    queue.grantSendMessages(this.fn);
    this.fn.addEnvironment(description.env, queue.queueUrl);
    return this;
  }

  /**
   * The key that encrypts passengers' data field by field (AWS Encryption SDK, KMS keyring):
   * data keys for, and decryption of, passenger fields only (the encryption context the
   * field cipher binds every value to names the field).
   */
  bindPiiKey(key: IKey): this {
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ["kms:GenerateDataKey", "kms:Decrypt"],
        resources: [key.keyArn],
        conditions: { StringEquals: { [PII_CONTEXT_KEY]: [...PII_FIELDS] } },
      }),
    );
    this.fn.addEnvironment(ENV.piiKmsKeyArn, key.keyArn);
    return this;
  }

  /** PutEvents on the bus, for events of these sources only (IAM condition `events:source`). */
  bindEventBus(bus: IEventBus, sources: readonly string[]): this {
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ["events:PutEvents"],
        resources: [bus.eventBusArn],
        conditions: { StringEquals: { "events:source": [...sources] } },
      }),
    );
    this.fn.addEnvironment(ENV.eventBusName, bus.eventBusName);
    return this;
  }

  bindSecret(key: SecretKey, secret: ISecret): this {
    secret.grantRead(this.fn);
    this.fn.addEnvironment(SECRETS[key].env, secret.secretArn);
    return this;
  }

  /** Starts the workflow, and asks whether an execution of a name still runs (a resume, booking-workflow.ts). */
  bindWorkflowStart(workflow: WorkflowRef): this {
    this.fn.addEnvironment(workflow.description.env, workflow.stateMachineArn);
    this.allow(["states:StartExecution"], [workflow.stateMachineArn]);
    this.allow(["states:DescribeExecution"], [workflow.executionsArn]);
    return this;
  }

  /** Lists the workflow's executions (the sweep looks for an earlier run of itself). */
  bindWorkflowRuns(workflow: WorkflowRef): this {
    this.allow(["states:ListExecutions"], [workflow.stateMachineArn]);
    return this;
  }

  /** Operators: the workflow's executions, the history of each, and redriving a failed one. */
  bindWorkflowInspection(workflow: WorkflowRef): this {
    this.fn.addEnvironment(workflow.description.env, workflow.stateMachineArn);
    this.bindWorkflowRuns(workflow);
    this.allow(
      ["states:DescribeExecution", "states:GetExecutionHistory", "states:RedriveExecution"],
      [workflow.executionsArn],
    );
    return this;
  }

  /** Tenants' webhook signing secrets, all under one prefix (`secretsArn`: `<prefix>/*`), encrypted by the data key. */
  bindWebhookSecrets(prefix: string, secretsArn: string, key: IKey): this {
    this.fn.addEnvironment(ENV.webhookSecretPrefix, prefix);
    this.allow(["secretsmanager:GetSecretValue"], [secretsArn]);
    key.grantDecrypt(this.fn);
    return this;
  }

  /** Sends a job it gives up on to the queue's dead-letter queue itself. */
  bindDeadLetterSend(description: QueueDescription, deadLetters: IQueue): this {
    deadLetters.grantSendMessages(this.fn);
    this.fn.addEnvironment(deadLetterEnvOf(description), deadLetters.queueUrl);
    return this;
  }

  /**
   * Operators: reads a dead-letter queue without consuming it (each message is made visible
   * again) and moves its messages back to the source queue (StartMessageMoveTask, which needs
   * the caller to be allowed to receive and delete on the source and send on the destination).
   */
  bindRedrive(description: QueueDescription, source: IQueue, deadLetters: IQueue): this {
    deadLetters.grantConsumeMessages(this.fn);
    deadLetters.grant(this.fn, "sqs:StartMessageMoveTask", "sqs:ListMessageMoveTasks", "sqs:CancelMessageMoveTask");
    source.grantSendMessages(this.fn);
    source.grant(this.fn, "sqs:GetQueueAttributes");
    this.fn.addEnvironment(deadLetterEnvOf(description), deadLetters.queueUrl);
    this.fn.addEnvironment(description.env, source.queueUrl);
    return this;
  }

  private allow(actions: string[], resources: string[]): void {
    this.fn.addToRolePolicy(new PolicyStatement({ actions, resources }));
  }
}
