import { ArnFormat, Duration, RemovalPolicy, Stack, type StackProps, Token, Validations } from "aws-cdk-lib";
import {
  AccessLogFormat,
  ApiKeySourceType,
  AuthorizationType,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  Period,
  type Resource,
  ResponseType,
  RestApi,
  type UsagePlan,
} from "aws-cdk-lib/aws-apigateway";
import { type ITableV2, TableV2 } from "aws-cdk-lib/aws-dynamodb";
import { EventBus } from "aws-cdk-lib/aws-events";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import type { CfnFunction, IFunction } from "aws-cdk-lib/aws-lambda";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Schedule, ScheduleExpression } from "aws-cdk-lib/aws-scheduler";
import { LambdaInvoke, StepFunctionsStartExecution } from "aws-cdk-lib/aws-scheduler-targets";
import { type ISecret, Secret } from "aws-cdk-lib/aws-secretsmanager";
import { type IQueue, Queue } from "aws-cdk-lib/aws-sqs";
import { DefinitionBody, type IChainable, LogLevel, StateMachine } from "aws-cdk-lib/aws-stepfunctions";
import type { Construct } from "constructs";
import { CURRENT_API_VERSION, VERSION_HEADER } from "../../functions/api/versions";
import {
  CONSUMERS,
  ENV,
  EVENT_FUNCTIONS,
  EVENTS,
  type EventFunctionKey,
  type FunctionDescription,
  LOG_SUBSCRIBERS,
  MAX_BODY_BYTES,
  PLANS,
  type PlanName,
  QUEUES,
  type QueueDescription,
  type QueueKey,
  RETENTION_INTERVAL_HOURS,
  ROUTES,
  type RouteDescription,
  routeTables,
  type SecretKey,
  TABLE_ENTRIES,
  TABLES,
  TASKS,
  type TableKey,
  type TaskKey,
  WORKFLOWS,
  type WorkflowKey,
} from "../resources";
import {
  ACCESS_LOG_FORMAT,
  grantTenantAdministration,
  operatorsPolicy,
  subscribeGatewayRefusals,
  usagePlanName,
} from "./access-control";
import { OperatorAlarms } from "./alarms";
import { addEventRules } from "./event-rules";
import { apiFirewall } from "./firewall";
import { GatewayFunction } from "./gateway-function";
import { acknowledgeInvocationModel, acknowledgeServerlessStack } from "./serverless-nag";
import type { StatefulStack } from "./stateful-stack";
import { addTenantKeys, type TenantKeyProps } from "./tenant-keys";
import { orderLifecycleDefinition, reconciliationDefinition, SWEEP } from "./workflows";

export interface StatelessStackProps extends StackProps {
  readonly prefix: string;
  readonly stage: string;
  readonly state: StatefulStack;
  readonly drctBaseUrl: string;
  /**
   * Tenants whose API keys this stack creates and attaches to their plan's usage plan;
   * undefined when the app was given no `tenants` context (existing keys are kept).
   */
  readonly tenants: readonly TenantKeyProps[] | undefined;
  readonly reconcileIntervalSeconds: number;
}

const envelopeTemplate = (code: string, message: string) =>
  JSON.stringify({
    error: {
      code,
      message,
      retryable: code.startsWith("AVF_429") || code.startsWith("AVF_5"),
      correlation_id: "$context.requestId",
    },
  });

/**
 * What runs: the REST API with its keys and usage plans, one function per route, the event
 * bus and the workflows. Replaceable at will; all data lives in the stateful stack.
 */
export class StatelessStack extends Stack {
  readonly api: RestApi;
  readonly functions: Record<string, GatewayFunction> = {};
  readonly orderLifecycle: StateMachine;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const state = importState(this, props.state);

    const bus = new EventBus(this, "Events", { eventBusName: `${props.prefix}-events` });
    const accessLogs = new LogGroup(this, "ApiAccessLogs", {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new RestApi(this, "Api", {
      restApiName: `${props.prefix}-api`,
      description: "Aviaframe public API (CONTRACT.md §3)",
      endpointTypes: [EndpointType.REGIONAL],
      apiKeySourceType: ApiKeySourceType.HEADER,
      cloudWatchRole: true,
      deployOptions: {
        stageName: props.stage,
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: MethodLoggingLevel.INFO,
        dataTraceEnabled: false,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FORMAT)),
        throttlingRateLimit: 200,
        throttlingBurstLimit: 400,
      },
    });
    // No request models are attached: bodies are validated by the handlers' zod schemas, which
    // answer the contract's error envelope with every issue, not API Gateway's plain message.
    const validator = this.api.addRequestValidator("Validator", {
      requestValidatorName: "parameters-and-body",
      validateRequestParameters: true,
      validateRequestBody: true,
    });

    // API Gateway's own refusals keep the contract's envelope (and 401, not 403, for a missing or unknown key).
    const gatewayResponses: [ResponseType, string, string, string][] = [
      [ResponseType.INVALID_API_KEY, "401", "AVF_401_UNAUTHORIZED", "send a valid API key in the x-api-key header"],
      [ResponseType.MISSING_AUTHENTICATION_TOKEN, "404", "AVF_404_NOT_FOUND", "no such route"],
      [ResponseType.THROTTLED, "429", "AVF_429_RATE_LIMITED", "too many requests; try again shortly"],
      [ResponseType.QUOTA_EXCEEDED, "429", "AVF_429_RATE_LIMITED", "the plan's quota is used up"],
      [ResponseType.REQUEST_TOO_LARGE, "413", "AVF_413_PAYLOAD_TOO_LARGE", "the request is too large"],
      [ResponseType.ACCESS_DENIED, "401", "AVF_401_UNAUTHORIZED", "send a valid API key in the x-api-key header"],
      // Operators' routes (IAM): a bad or expired SigV4 signature.
      [ResponseType.INVALID_SIGNATURE, "401", "AVF_401_UNAUTHORIZED", "operators' routes take a valid SigV4 signature"],
      [ResponseType.EXPIRED_TOKEN, "401", "AVF_401_UNAUTHORIZED", "operators' routes take a valid SigV4 signature"],
      [ResponseType.WAF_FILTERED, "403", "AVF_403_FORBIDDEN", "the request was refused by the firewall"],
      [ResponseType.BAD_REQUEST_BODY, "400", "AVF_400_VALIDATION", "the request is not valid"],
      [ResponseType.BAD_REQUEST_PARAMETERS, "400", "AVF_400_VALIDATION", "the request is not valid"],
      [
        ResponseType.UNSUPPORTED_MEDIA_TYPE,
        "415",
        "AVF_415_UNSUPPORTED_MEDIA_TYPE",
        "send the body as application/json",
      ],
      // Any other refusal API Gateway makes before our code runs (a missing key among them).
      [ResponseType.DEFAULT_4XX, "403", "AVF_403_FORBIDDEN", "the request was refused; check the x-api-key header"],
      [ResponseType.DEFAULT_5XX, "500", "AVF_500_INTERNAL", "something went wrong on our side"],
    ];
    for (const [type, statusCode, code, message] of gatewayResponses) {
      this.api.addGatewayResponse(`Response${type.responseType}`, {
        type,
        statusCode,
        responseHeaders: { "x-correlation-id": "context.requestId", [VERSION_HEADER]: `'${CURRENT_API_VERSION}'` },
        templates: { "application/json": envelopeTemplate(code, message) },
      });
    }

    const plans = Object.fromEntries(
      (Object.entries(PLANS) as [PlanName, (typeof PLANS)[PlanName]][]).map(([name, plan]) => [
        name,
        this.api.addUsagePlan(`Plan-${name}`, {
          name: usagePlanName(props.prefix, name),
          throttle: { rateLimit: plan.rateLimit, burstLimit: plan.burstLimit },
          quota: { limit: plan.quotaPerDay, period: Period.DAY },
          apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
        }),
      ]),
    ) as Record<PlanName, UsagePlan>;
    const commonEnv = {
      [ENV.stage]: props.stage,
      [ENV.drctBaseUrl]: props.drctBaseUrl,
    };
    // By name, not by reference: the reconcile task starts the workflow that invokes it, and a
    // reference would make the function and the state machine depend on each other.
    const workflowArn = (key: WorkflowKey) =>
      this.formatArn({
        service: "states",
        resource: "stateMachine",
        resourceName: `${props.prefix}-${WORKFLOWS[key].id}`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const executionsOf = (key: WorkflowKey) =>
      this.formatArn({
        service: "states",
        resource: "execution",
        resourceName: `${props.prefix}-${WORKFLOWS[key].id}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    /** Tenants' signing secrets live at <prefix>/<tenant id>, created at onboarding (README). */
    const webhookSecretPrefix = `${props.prefix}/webhook`;
    const webhookSecretsArn = this.formatArn({
      service: "secretsmanager",
      resource: "secret",
      resourceName: `${webhookSecretPrefix}/*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    /** A function with exactly the access its description declares. */
    const functionFor = (id: string, description: FunctionDescription): GatewayFunction => {
      const fn = new GatewayFunction(this, id, {
        handler: description.handler,
        environment: commonEnv,
        bundledFiles: description.bundledFiles,
        ...(description.timeoutSeconds === undefined ? {} : { timeout: Duration.seconds(description.timeoutSeconds) }),
      });
      for (const table of description.tables) {
        // A read-only function writes nothing but what it must record: a refusal (AuthEvents),
        // an audited access (AuditLog), DRCT's books for a GET that asks DRCT.
        const writes =
          description.readOnly !== true ||
          description.writes?.includes(table) === true ||
          (description.audited === true && table === "auditLog");
        fn.bindTable(table, state.tables[table], writes ? "readWrite" : table === "authEvents" ? "append" : "read");
      }
      for (const secret of description.secrets) fn.bindSecret(secret, state.secrets[secret]);
      for (const queue of description.sendsTo ?? []) fn.bindQueue(QUEUES[queue], state.queues[queue]);
      if (description.publishesEvents !== undefined) {
        fn.bindEventBus(
          bus,
          description.publishesEvents.map((source) => EVENTS[source].source),
        );
      }
      if (description.pii) fn.bindPiiKey(state.piiKey);
      for (const key of description.starts ?? []) {
        fn.fn.addEnvironment(WORKFLOWS[key].env, workflowArn(key));
        fn.fn.addToRolePolicy(
          new PolicyStatement({ actions: ["states:StartExecution"], resources: [workflowArn(key)] }),
        );
        // A resume whose name is taken asks whether that execution still runs (booking-workflow.ts).
        fn.fn.addToRolePolicy(
          new PolicyStatement({ actions: ["states:DescribeExecution"], resources: [executionsOf(key)] }),
        );
      }
      for (const key of description.listsRunsOf ?? []) {
        fn.fn.addToRolePolicy(
          new PolicyStatement({ actions: ["states:ListExecutions"], resources: [workflowArn(key)] }),
        );
      }
      if (description.administersTenants) {
        grantTenantAdministration(fn.fn, { prefix: props.prefix, webhookSecretPrefix, webhookSecretsArn });
      }
      if (description.webhookSecrets) {
        fn.fn.addEnvironment(ENV.webhookSecretPrefix, webhookSecretPrefix);
        fn.fn.addToRolePolicy(
          new PolicyStatement({
            actions: ["secretsmanager:GetSecretValue"],
            resources: [webhookSecretsArn],
          }),
        );
        state.key.grantDecrypt(fn.fn);
      }
      acknowledgeInvocationModel(fn.fn, id);
      return fn;
    };

    const tasks = {} as Record<TaskKey, IFunction>;
    for (const [key, description] of Object.entries(TASKS) as [TaskKey, FunctionDescription][]) {
      tasks[key] = functionFor(`Task-${key}`, description).fn;
      const logicalId = this.getLogicalId(tasks[key].node.defaultChild as CfnFunction);
      Validations.of(this).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
        reason: "Step Functions' grant to invoke its own task function, any version (CDK's LambdaInvoke default).",
      });
    }
    const workflow = (key: WorkflowKey, definition: IChainable, timeout: Duration) => {
      const logs = new LogGroup(this, `WorkflowLogs-${key}`, {
        retention: RetentionDays.THREE_MONTHS,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const machine = new StateMachine(this, `Workflow-${key}`, {
        stateMachineName: `${props.prefix}-${WORKFLOWS[key].id}`,
        comment: WORKFLOWS[key].purpose,
        definitionBody: DefinitionBody.fromChainable(definition),
        tracingEnabled: true,
        logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: false },
        timeout,
      });
      return machine;
    };
    // Long enough for the booking and then DRCT's hold (the Wait on the ticketing deadline: days
    // at most for an airline's hold); a longer hold is still expired by the reconciliation sweep.
    this.orderLifecycle = workflow("orderLifecycle", orderLifecycleDefinition(this, tasks), Duration.days(10));
    const reconciliation = workflow("reconciliation", reconciliationDefinition(this, tasks), SWEEP.timeout);
    const eventFunctions = {} as Record<EventFunctionKey, IFunction>;
    // API Gateway's own refusals (before any function runs) become AuthEvents through its access log.
    const gatewayRefusals = functionFor("Log-gatewayRefusals", LOG_SUBSCRIBERS.gatewayRefusals).fn;
    subscribeGatewayRefusals(this, accessLogs, gatewayRefusals);
    for (const [key, description] of Object.entries(EVENT_FUNCTIONS) as [EventFunctionKey, FunctionDescription][]) {
      eventFunctions[key] = functionFor(`Event-${key}`, description).fn;
    }
    const undeliveredEvents = addEventRules(this, { prefix: props.prefix, bus, functions: eventFunctions });
    new OperatorAlarms(this, "Alarms", {
      prefix: props.prefix,
      deadLetterQueues: {
        ...Object.fromEntries(
          (Object.keys(QUEUES) as QueueKey[]).map((queue) => [
            queue,
            Queue.fromQueueArn(this, `Imported-dlq-${queue}`, props.state.deadLetterQueues[queue].queueArn),
          ]),
        ),
        "event-targets": undeliveredEvents,
      },
      reconciliation,
      orderLifecycle: this.orderLifecycle,
    });
    new Schedule(this, "ReconciliationSchedule", {
      description: WORKFLOWS.reconciliation.purpose,
      schedule: ScheduleExpression.rate(Duration.minutes(Math.max(1, Math.round(props.reconcileIntervalSeconds / 60)))),
      target: new StepFunctionsStartExecution(reconciliation, {}),
    });
    // The retention job: personal data erased PII_RETENTION_DAYS after the order's last flight.
    new Schedule(this, "RetentionSchedule", {
      description: "Erases passengers' personal data PII_RETENTION_DAYS after the order's last flight",
      schedule: ScheduleExpression.rate(Duration.hours(RETENTION_INTERVAL_HOURS)),
      target: new LambdaInvoke(tasks.eraseExpiredPersonalData, {}),
    });

    for (const [queue, description] of Object.entries(CONSUMERS) as [QueueKey, FunctionDescription][]) {
      const fn = functionFor(`Consumer-${queue}`, description);
      // Its own queue's URL: a consumer delays a record's next try (ChangeMessageVisibility,
      // which the event source mapping's grant covers).
      fn.fn.addEnvironment(QUEUES[queue].env, state.queues[queue].queueUrl);
      fn.fn.addEventSource(
        new SqsEventSource(state.queues[queue], {
          batchSize: QUEUES[queue].batchSize,
          reportBatchItemFailures: true,
          ...(scaling(QUEUES[queue]) === undefined ? {} : { maxConcurrency: scaling(QUEUES[queue]) }),
        }),
      );
      this.functions[`consumer-${queue}`] = fn;
    }

    for (const route of ROUTES as readonly RouteDescription[]) {
      const fn = functionFor(`Route-${route.operationId}`, { ...route, tables: routeTables(route) });
      this.functions[route.operationId] = fn;
      const resource = route.path
        .split("/")
        .filter(Boolean)
        .reduce<Resource | RestApi["root"]>(
          (parent, part) => parent.getResource(part) ?? parent.addResource(part),
          this.api.root,
        );
      resource.addMethod(route.method, new LambdaIntegration(fn.fn, { proxy: true }), {
        apiKeyRequired: route.auth === "api-key",
        // Operators sign with SigV4 (IAM); an agency's API key never opens these routes.
        ...(route.auth === "operator" ? { authorizationType: AuthorizationType.IAM } : {}),
        requestValidator: validator,
        operationName: route.operationId,
        ...(route.idempotent ? { requestParameters: { "method.request.header.Idempotency-Key": false } } : {}),
      });
    }

    addTenantKeys(this, this.api, plans, props.prefix, props.tenants);
    operatorsPolicy(this, this.api, props.prefix, props.stage);

    apiFirewall(this, {
      prefix: props.prefix,
      stageArn: this.api.deploymentStage.stageArn,
      maxBodyBytes: MAX_BODY_BYTES,
    });

    const acknowledge = (id: string, reason: string) => Validations.of(this).acknowledge({ id, reason });
    acknowledge(
      "AwsSolutions-IAM5[Resource::*]",
      "Only X-Ray trace upload and Step Functions log delivery, whose actions support no resource-level scoping.",
    );
    for (const action of ["kms:GenerateDataKey*", "kms:ReEncrypt*"]) {
      acknowledge(
        `AwsSolutions-IAM5[Action::${action}]`,
        "CDK's KMS grant for reading and writing encrypted tables and queues, scoped to our one data key.",
      );
    }
    const region = Token.isUnresolved(this.region) ? "<AWS::Region>" : this.region;
    const account = Token.isUnresolved(this.account) ? "<AWS::AccountId>" : this.account;
    for (const [name, table] of TABLE_ENTRIES) {
      if ((table.globalIndexes ?? []).length === 0) continue;
      acknowledge(
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:dynamodb:${region}:${account}:table/${tableNameOf(props.prefix, name)}/index/*]`,
        "Queries on the table's own global secondary indexes.",
      );
    }
    acknowledge(
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:${region}:${account}:secret:${props.prefix}/webhook/*]`,
      "The callback sender reads every tenant's webhook signing secret, and onboarding creates them: that one prefix only.",
    );
    for (const path of ["/apikeys/*", "/usageplans/*/keys", "/usageplans/*/keys/*"]) {
      acknowledge(
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:apigateway:${region}::${path}]`,
        "Tenant administration creates and revokes API keys at run time (their ids cannot be known at deploy) and attaches them to the usage plans, which are found by name: a reference would make the function depend on its own API's deployment.",
      );
    }
    acknowledge(
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${region}:${account}:execution:${props.prefix}-${WORKFLOWS.orderLifecycle.id}:*]`,
      "Describing the order workflow's own executions, whose names are per order: a resume checks whether the one before it still runs.",
    );
    acknowledge(
      "AwsSolutions-L1",
      "Pinned to nodejs22.x on purpose: the runtime the local stand-ins and the test suite run on; moving to a newer runtime is a tested change, not a silent one.",
    );
    acknowledge(
      "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
      "The AWS-maintained least-privilege policy for writing a function's logs.",
    );
    acknowledge(
      "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
      "The AWS-maintained policy API Gateway needs to write execution and access logs.",
    );
    acknowledge(
      "AwsSolutions-APIG4",
      "B2B API authenticated by API Gateway API keys bound to usage plans; the handler resolves the tenant from the key id and checks its scopes and IP allowlist. Agencies integrate server to server, so Cognito or IAM authorizers do not apply to their routes; operators' /ops/api routes are IAM-authorized.",
    );
    acknowledgeServerlessStack(this);
    acknowledge("AwsSolutions-COG4", "Same as APIG4: agencies authenticate with API keys, not Cognito users.");
  }
}

/**
 * The stateful resources as seen from this stack. Grants on imported resources go to the
 * functions' own policies only; grants on the originals would also edit the key's policy in
 * the stateful stack, which would make it depend on this one (a cycle).
 */
/** The event source mapping's maximum concurrency, when the queue's description sets one. */
const scaling = (queue: QueueDescription): number | undefined => queue.maxConcurrency;

const tableNameOf = (prefix: string, key: TableKey): string => `${prefix}-${TABLES[key].id}`;

const importState = (scope: Construct, state: StatefulStack) => {
  const key = Key.fromKeyArn(scope, "ImportedDataKey", state.key.keyArn);
  const piiKey = Key.fromKeyArn(scope, "ImportedPiiKey", state.piiKey.keyArn);
  const tables = Object.fromEntries(
    (Object.keys(state.tables) as TableKey[]).map((name) => [
      name,
      TableV2.fromTableAttributes(scope, `Imported-${name}`, {
        // By name, not by a cross-stack export: the stacks stay independently deployable.
        tableName: tableNameOf(state.prefix, name),
        encryptionKey: key,
        grantIndexPermissions: (TABLE_ENTRIES.find(([key]) => key === name)?.[1].globalIndexes ?? []).length > 0,
      }),
    ]),
  ) as Record<TableKey, ITableV2>;
  const secrets = Object.fromEntries(
    (Object.entries(state.secrets) as [SecretKey, Secret][]).map(([name, secret]) => [
      name,
      Secret.fromSecretAttributes(scope, `Imported-${name}`, {
        secretCompleteArn: secret.secretArn,
        encryptionKey: key,
      }),
    ]),
  ) as Record<SecretKey, ISecret>;
  const queues = Object.fromEntries(
    (Object.entries(state.queues) as [QueueKey, Queue][]).map(([name, queue]) => [
      name,
      Queue.fromQueueAttributes(scope, `Imported-${name}`, {
        queueArn: queue.queueArn,
        queueUrl: queue.queueUrl,
        keyArn: state.key.keyArn,
        fifo: true,
      }),
    ]),
  ) as Record<QueueKey, IQueue>;
  return { key, piiKey, tables, secrets, queues };
};
