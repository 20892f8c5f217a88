/** What each function may touch (its description), the workflows, and the functions that are not routes. */
import type { Scope } from "../../functions/domain/access";
import type { EventSourceKey } from "./events";
import type { SecretKey, StageSetting } from "./settings";
import type { QueueKey, TableKey } from "./storage";

export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";

/** What a function may touch: CDK grants exactly this, and injects the matching env vars. */
export interface FunctionDescription {
  /** Handler module under functions/handlers, without extension; exports `handler`. */
  readonly handler: string;
  /** Tables the handler reads or writes. */
  readonly tables: readonly TableKey[];
  /** Only reads its tables: IAM grants it no write action on any of them (every GET route). */
  readonly readOnly?: boolean;
  /** Of a read-only function's tables, those it still writes (a GET that asks DRCT keeps DRCT's books). */
  readonly writes?: readonly TableKey[];
  /** A read-only function that still writes its accesses to the AuditLog (the personal-data export). */
  readonly audited?: boolean;
  /** The stage's settings (CDK context, STAGE_SETTINGS) it is given as environment variables. */
  readonly settings?: readonly StageSetting[];
  readonly secrets: readonly SecretKey[];
  /** Queues it sends to. */
  readonly sendsTo?: readonly QueueKey[];
  /**
   * The event sources it may put on the bus (`supplier`: breaker transitions; `orders`: the
   * order lifecycle). IAM allows PutEvents for exactly these sources: the callback dispatcher
   * sends what order events announce, so few may announce them.
   */
  readonly publishesEvents?: readonly EventSourceKey[];
  /** Workflows it may start. */
  readonly starts?: readonly WorkflowKey[];
  /** Workflows whose executions it may list (the sweep looks for an earlier run of itself). */
  readonly listsRunsOf?: readonly WorkflowKey[];
  /** Whether it encrypts or decrypts passenger data (the PII key). */
  readonly pii?: boolean;
  /** Whether it reads tenants' webhook signing secrets. */
  readonly webhookSecrets?: boolean;
  /**
   * Whether it creates, moves and revokes tenants' API Gateway API keys (the usage plans' ids
   * in USAGE_PLAN_<PLAN>) and creates tenants' webhook signing secrets.
   */
  readonly administersTenants?: boolean;
  /** Queues whose dead-letter queue it sends to itself (a job given up on before SQS's receive count). */
  readonly deadLettersTo?: readonly QueueKey[];
  /** Dead-letter queues it reads (without consuming) and redrives to their source queue (StartMessageMoveTask). */
  readonly redrives?: readonly QueueKey[];
  /** Workflows whose executions it lists, reads the history of and redrives (RedriveExecution). */
  readonly inspectsRunsOf?: readonly WorkflowKey[];
  readonly timeoutSeconds?: number;
  /** Files under node_modules the handler reads at run time, shipped next to its bundle. */
  readonly bundledFiles?: readonly string[];
}

interface RouteBase extends FunctionDescription {
  readonly operationId: string;
  readonly method: HttpMethod;
  /** API Gateway resource path, `{param}` style. */
  readonly path: string;
  /** Whether the route takes an Idempotency-Key (create, issue, cancel). */
  readonly idempotent?: boolean;
  readonly summary: string;
}

/**
 * Who may call a route: anyone (`none`); an agency's API key that carries `scope`
 * (`api-key`: API Gateway API keys in AWS); or an operator (`operator`: IAM-authorized, SigV4,
 * in AWS; the `x-ops-key` header locally), never an agency's key. Operator routes live under
 * /ops/api and are not in the agencies' OpenAPI document.
 */
export type RouteDescription = RouteBase &
  ({ readonly auth: "none" } | { readonly auth: "api-key"; readonly scope: Scope } | { readonly auth: "operator" });

export type WorkflowKey = "orderLifecycle" | "reconciliation";

export interface WorkflowDescription {
  readonly id: string;
  /** Env var holding the state machine ARN, for functions that start it. */
  readonly env: string;
  readonly purpose: string;
}

export const WORKFLOWS: Record<WorkflowKey, WorkflowDescription> = {
  orderLifecycle: {
    id: "order-lifecycle",
    env: "STATE_MACHINE_ORDER_LIFECYCLE",
    purpose:
      "Books one order with DRCT; an uncertain outcome waits and reconciles until BOOKED or FAILED; a BOOKED order waits for its ticketing deadline and expires unissued",
  },
  reconciliation: {
    id: "reconciliation",
    env: "STATE_MACHINE_RECONCILIATION",
    purpose:
      "Every RECONCILE_INTERVAL_S: settles PENDING, PENDING_RECONCILE and ISSUING orders with DRCT, and lapsed holds",
  },
};

/** Functions that Step Functions tasks invoke. */
export const TASKS = {
  bookOrder: {
    handler: "tasks/book-order",
    // tenants: a step reads the tenant's plan for the DRCT budgets (loadOrderStep).
    tables: ["tenants", "orders", "auditLog", "supplierState", "drctRequestLog", "usage"],
    secrets: ["drctToken"],
    publishesEvents: ["orders", "supplier"],
    pii: true,
  },
  reconcileOrder: {
    handler: "tasks/reconcile-order",
    tables: ["tenants", "orders", "auditLog", "supplierState", "drctRequestLog", "usage"],
    secrets: ["drctToken"],
    publishesEvents: ["orders", "supplier"],
    starts: ["orderLifecycle"],
    pii: true,
  },
  expireOrder: {
    handler: "tasks/expire-order",
    tables: ["tenants", "orders", "auditLog", "supplierState", "drctRequestLog", "usage"],
    secrets: ["drctToken"],
    publishesEvents: ["orders", "supplier"],
    pii: true,
  },
  /** Not a workflow step: its own schedule invokes it (RETENTION_INTERVAL). */
  eraseExpiredPersonalData: {
    handler: "tasks/erase-expired-personal-data",
    // No pii: it removes ciphertext, it never reads it.
    tables: ["orders", "auditLog"],
    settings: ["piiRetentionDays"],
    secrets: [],
  },
  findUncertainOrders: {
    handler: "tasks/find-uncertain-orders",
    tables: ["orders"],
    secrets: [],
    // The order repository is built with the field cipher, even for the sweep's key-only reads.
    pii: true,
    listsRunsOf: ["reconciliation"],
  },
  checkSchedule: {
    handler: "tasks/check-schedule",
    tables: ["tenants", "orders", "auditLog", "supplierState", "drctRequestLog"],
    secrets: ["drctToken"],
    publishesEvents: ["orders", "supplier"],
    pii: true,
    // One DRCT read and a write: short, so the sweep's rounds of checks fit its budget.
    timeoutSeconds: 10,
  },
} as const satisfies Record<string, FunctionDescription>;

export type TaskKey = keyof typeof TASKS;

/** How often the retention job runs (an EventBridge schedule in AWS, a timer locally). */
export const RETENTION_INTERVAL_HOURS = 6;

/** Functions that event bus rules invoke. */
export const EVENT_FUNCTIONS = {
  callbackDispatcher: {
    handler: "events/dispatch-callbacks",
    // orders: the event is checked against the stored order (never decrypted here).
    tables: ["deliveries", "orders"],
    secrets: [],
    sendsTo: ["callbacks"],
  },
  eventRecorder: {
    handler: "events/record-event",
    tables: ["events"],
    secrets: [],
  },
} as const satisfies Record<string, FunctionDescription>;

export type EventFunctionKey = keyof typeof EVENT_FUNCTIONS;

/**
 * Functions fed by a CloudWatch Logs subscription. `gatewayRefusals` reads API Gateway's access
 * log: the refusals API Gateway makes before any function runs (an unknown, missing or revoked
 * key; an operator route without a valid signature) become AuthEvents too.
 */
export const LOG_SUBSCRIBERS = {
  gatewayRefusals: {
    handler: "logs/record-gateway-refusals",
    tables: ["authEvents"],
    secrets: [],
  },
} as const satisfies Record<string, FunctionDescription>;

export type LogSubscriberKey = keyof typeof LOG_SUBSCRIBERS;

/** Functions fed by a queue (an SQS event source mapping in AWS, a poller locally). */
export const CONSUMERS = {
  ticketing: {
    handler: "queues/ticketing",
    tables: ["tenants", "orders", "auditLog", "supplierState", "drctRequestLog", "usage"],
    secrets: ["drctToken"],
    publishesEvents: ["orders", "supplier"],
    pii: true,
    timeoutSeconds: 50,
  },
  scheduleChanges: {
    handler: "queues/schedule-changes",
    tables: ["tenants", "orders", "auditLog", "supplierState", "drctRequestLog"],
    secrets: ["drctToken"],
    publishesEvents: ["orders", "supplier"],
    pii: true,
    timeoutSeconds: 30,
  },
  callbacks: {
    handler: "queues/callbacks",
    // orders + pii: each attempt's body is built from the stored order when it is sent.
    tables: ["deliveries", "orders"],
    secrets: [],
    webhookSecrets: true,
    pii: true,
    // A delivery whose retry schedule ran out goes to the DLQ at once, where /ops shows and redrives it.
    deadLettersTo: ["callbacks"],
    timeoutSeconds: 50,
  },
} as const satisfies Partial<Record<QueueKey, FunctionDescription>>;
