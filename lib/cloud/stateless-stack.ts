import type { StackProps } from "aws-cdk-lib";
import type { RestApi } from "aws-cdk-lib/aws-apigateway";
import { EventBus } from "aws-cdk-lib/aws-events";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { StateMachine } from "aws-cdk-lib/aws-stepfunctions";
import type { Construct } from "constructs";
import {
  ALL_ROUTES,
  CONSUMERS,
  EVENT_FUNCTIONS,
  type EventFunctionKey,
  type FunctionDescription,
  LOG_SUBSCRIBERS,
  MAX_BODY_BYTES,
  QUEUES,
  type QueueKey,
  routeTables,
  type StageSetting,
  TASKS,
  type TaskKey,
} from "../resources";
import { subscribeGatewayRefusals } from "./access-control";
import { addEventRules } from "./event-rules";
import { apiFirewall } from "./firewall";
import { FunctionFactory } from "./function-factory";
import { GatewayApi } from "./gateway-api";
import type { GatewayFunction } from "./gateway-function";
import { importState } from "./imported-state";
import { Layer, LayeredStack } from "./layout";
import { Observability } from "./observability";
import type { StatefulStack } from "./stateful-stack";
import { acknowledgeStatelessFindings } from "./stateless-nag";
import type { TenantKeyProps } from "./tenant-keys";
import { WorkflowMachines } from "./workflow-machines";

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
  /** The stage's settings (lib/resources.ts STAGE_SETTINGS). */
  readonly settings: Readonly<Record<StageSetting, string>>;
}

const functionsOf = <K extends string>(
  factory: FunctionFactory,
  prefix: string,
  descriptions: Record<K, FunctionDescription>,
): Record<K, GatewayFunction> =>
  Object.fromEntries(
    (Object.entries(descriptions) as [K, FunctionDescription][]).map(([key, description]) => [
      key,
      factory.create(`${prefix}-${key}`, description),
    ]),
  ) as Record<K, GatewayFunction>;

const fnOf = <K extends string>(functions: Record<K, GatewayFunction>): Record<K, IFunction> =>
  Object.fromEntries(
    Object.entries<GatewayFunction>(functions).map(([key, fn]): [string, IFunction] => [key, fn.fn]),
  ) as Record<K, IFunction>;

/**
 * What runs: the REST API with its keys and usage plans, one function per route, queue
 * consumer, task and event target, the event bus, the workflows, the firewall, the alarms and
 * the dashboard. Replaceable at will; all data lives in the stateful stack. Each part is a
 * Layer of its own (lib/cloud/layout.ts), which keeps the logical ids a deployed stack has.
 */
export class StatelessStack extends LayeredStack {
  readonly api: RestApi;
  readonly functions: Record<string, GatewayFunction> = {};
  readonly orderLifecycle: StateMachine;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const state = importState(this, props.state);
    const bus = new EventBus(this, "Events", { eventBusName: `${props.prefix}-events` });
    const factory = new FunctionFactory(this, {
      prefix: props.prefix,
      stage: props.stage,
      drctBaseUrl: props.drctBaseUrl,
      state,
      bus,
      settings: props.settings,
    });
    // "Default": CDK leaves that id out of every name derived from a path (logical ids, and the
    // unique ids some constructs build their children's ids from, like a usage plan's key), so
    // the deployed API, its stage and its retained usage plan keys keep their identity.
    const gateway = new GatewayApi(this, "Default", {
      prefix: props.prefix,
      stage: props.stage,
      tenants: props.tenants,
    });
    this.api = gateway.api;

    const tasks = functionsOf<TaskKey>(factory, "Task", TASKS);
    const workflows = new WorkflowMachines(this, "Workflows", {
      prefix: props.prefix,
      tasks: fnOf(tasks),
      reconcileIntervalSeconds: props.reconcileIntervalSeconds,
    });
    this.orderLifecycle = workflows.machines.orderLifecycle;

    // API Gateway's own refusals (before any function runs) become AuthEvents through its access log.
    const gatewayRefusals = factory.create("Log-gatewayRefusals", LOG_SUBSCRIBERS.gatewayRefusals);
    subscribeGatewayRefusals(this, gateway.accessLogs, gatewayRefusals.fn);
    const eventFunctions = functionsOf<EventFunctionKey>(factory, "Event", EVENT_FUNCTIONS);
    // In the stack itself: the rules' log targets name their resource policies by the rule's path.
    const undeliveredEvents = addEventRules(this, {
      prefix: props.prefix,
      bus,
      functions: fnOf(eventFunctions),
    });

    const consumers = functionsOf<QueueKey>(factory, "Consumer", CONSUMERS);
    for (const [queue, fn] of Object.entries(consumers) as [QueueKey, GatewayFunction][]) {
      fn.bindQueueConsumer(QUEUES[queue], state.queues[queue]);
      this.functions[`consumer-${queue}`] = fn;
    }

    for (const route of ALL_ROUTES) {
      const fn = factory.create(`Route-${route.operationId}`, { ...route, tables: routeTables(route) });
      this.functions[route.operationId] = fn;
      gateway.addRoute(route, fn.fn);
    }

    apiFirewall(new Layer(this, "Firewall"), {
      prefix: props.prefix,
      stageArn: this.api.deploymentStage.stageArn,
      maxBodyBytes: MAX_BODY_BYTES,
    });

    new Observability(this, "Observability", {
      prefix: props.prefix,
      stage: props.stage,
      api: this.api,
      routes: ALL_ROUTES,
      queues: state.queues,
      deadLetterQueues: { ...state.deadLetterQueues, "event-targets": undeliveredEvents },
      workflows: workflows.machines,
      backgroundFunctions: {
        jobs: [tasks, consumers].flatMap((group) => Object.values<GatewayFunction>(group).map((fn) => fn.fn)),
        asynchronous: [eventFunctions, { gatewayRefusals }].flatMap((group) =>
          Object.values<GatewayFunction>(group).map((fn) => fn.fn),
        ),
      },
      tables: state.tables,
    });
    acknowledgeStatelessFindings(this, props.prefix);
  }
}
