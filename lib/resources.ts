/**
 * The one description of Aviaframe's resources. The CDK stacks (lib/cloud) and the local
 * runtime (lib/local) are both built from this file, so the two cannot drift: a table, queue
 * or route added here exists in both places, under the same environment variable name.
 *
 * Pure data: no CDK and no AWS SDK imports, so Lambda code may read it too.
 */
import type { Scope } from "../functions/domain/access";

import { CALLBACK_EVENTS } from "../functions/domain/delivery";

export interface GlobalIndexDescription {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
}

export interface TableDescription {
  /** Logical id, also the suffix of the physical table name. */
  readonly id: string;
  /** Environment variable through which functions learn the physical table name. */
  readonly env: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly globalIndexes?: readonly GlobalIndexDescription[];
  /** Epoch-seconds attribute DynamoDB TTL deletes by. Readers still check expiry themselves. */
  readonly ttlAttribute?: string;
  readonly purpose: string;
}

export const TABLES = {
  tenants: {
    id: "Tenants",
    env: "TABLE_TENANTS",
    partitionKey: "pk",
    sortKey: "sk",
    globalIndexes: [{ name: "by_api_key_id", partitionKey: "api_key_id" }],
    purpose: "Tenant profiles: plan, markup, API key id, callback secret name",
  },
  idempotency: {
    id: "Idempotency",
    env: "TABLE_IDEMPOTENCY",
    partitionKey: "id",
    ttlAttribute: "expiration",
    purpose: "Powertools idempotency records, keyed by tenant + operation + Idempotency-Key",
  },
  orders: {
    id: "Orders",
    env: "TABLE_ORDERS",
    partitionKey: "pk",
    sortKey: "sk",
    globalIndexes: [
      { name: "by_tenant_created", partitionKey: "tenant_id", sortKey: "created_key" },
      { name: "by_status", partitionKey: "status", sortKey: "updated_at" },
      // Sparse: only orders with events not yet on the bus carry outbox_pending.
      { name: "by_outbox", partitionKey: "outbox_pending", sortKey: "updated_at" },
      // Sparse: only BOOKED orders with a ticketing deadline carry hold_open (the sweep's lapsed holds).
      { name: "by_hold", partitionKey: "hold_open", sortKey: "ticketing_deadline" },
      // Sparse: BOOKED/ISSUED orders whose flights the schedule watch re-reads, by when next.
      { name: "by_schedule_check", partitionKey: "schedule_watch", sortKey: "schedule_check_due" },
      // Sparse: DRCT's booking reference → our order (DRCT's notifications name only its own id).
      { name: "by_drct_order", partitionKey: "drct_order_id" },
      // Sparse: the keyed blind index of the contact email (never the email), for data-subject search.
      { name: "by_email_index", partitionKey: "email_index" },
      // Sparse: orders still holding personal data, by when their last flight lands (retention).
      { name: "by_retention", partitionKey: "pii_held", sortKey: "last_flight_at" },
    ],
    purpose: "Orders, one item per order with its history and outbox",
  },
  offers: {
    id: "Offers",
    env: "TABLE_OFFERS",
    partitionKey: "pk",
    sortKey: "sk",
    ttlAttribute: "expires_at",
    purpose: "Offers seen by each tenant and cached search results",
  },
  supplierState: {
    id: "SupplierState",
    env: "TABLE_SUPPLIER_STATE",
    partitionKey: "pk",
    ttlAttribute: "expires_at",
    purpose: "Shared DRCT rate-limit buckets and circuit breaker state",
  },
  drctRequestLog: {
    id: "DrctRequestLog",
    env: "TABLE_DRCT_REQUEST_LOG",
    partitionKey: "pk",
    sortKey: "sk",
    ttlAttribute: "expires_at",
    purpose: "Sanitized log of every DRCT call: no token, no passenger data",
  },
  auditLog: {
    id: "AuditLog",
    env: "TABLE_AUDIT_LOG",
    partitionKey: "pk",
    sortKey: "sk",
    purpose: "Who changed what, when, under which correlation id",
  },
  deliveries: {
    id: "Deliveries",
    env: "TABLE_DELIVERIES",
    partitionKey: "pk",
    sortKey: "sk",
    globalIndexes: [{ name: "by_delivery_id", partitionKey: "delivery_id" }],
    ttlAttribute: "expires_at",
    purpose:
      "Partner callback deliveries and every attempt (ids, URL, statuses; no body, no personal data), kept 30 days",
  },
  events: {
    id: "Events",
    env: "TABLE_EVENTS",
    partitionKey: "pk",
    sortKey: "sk",
    ttlAttribute: "expires_at",
    purpose:
      "Each tenant's recent order events (ids, types, times, order ids and statuses; no personal data) for GET /public/events",
  },
  authEvents: {
    id: "AuthEvents",
    env: "TABLE_AUTH_EVENTS",
    partitionKey: "pk",
    sortKey: "sk",
    ttlAttribute: "expires_at",
    purpose:
      "Every refused authentication (reason, tenant, key id, source IP, user agent, route, time; never the key) for GET /ops/api/auth-events",
  },
  usage: {
    id: "Usage",
    env: "TABLE_USAGE",
    partitionKey: "pk",
    sortKey: "sk",
    purpose: "Per-tenant usage meters for billing",
  },
} as const satisfies Record<string, TableDescription>;

export type TableKey = keyof typeof TABLES;

/** Every table, widened to the description type (for code that walks them all). */
export const TABLE_ENTRIES = Object.entries(TABLES) as [TableKey, TableDescription][];

export interface QueueDescription {
  /** Logical id; the physical name is `<prefix>-<id>.fifo`. */
  readonly id: string;
  readonly env: string;
  readonly visibilityTimeoutSeconds: number;
  /** Receives before a message moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** Event source mapping batch size of the consuming function. */
  readonly batchSize: number;
  /**
   * How many batches the event source mapping hands the consumer at once (its ScalingConfig
   * maximumConcurrency; locally, that many pollers). Unset: one at a time locally.
   */
  readonly maxConcurrency?: number;
  readonly purpose: string;
}

export const QUEUES = {
  ticketing: {
    id: "ticketing",
    env: "QUEUE_TICKETING",
    // At least six times the consumer's timeout (AWS's guidance for event source mappings).
    visibilityTimeoutSeconds: 300,
    maxReceiveCount: 6,
    batchSize: 5,
    purpose: "Ticketing jobs, one message group per order, paced by the DRCT budgets",
  },
  callbacks: {
    id: "callbacks",
    env: "QUEUE_CALLBACKS",
    visibilityTimeoutSeconds: 300,
    maxReceiveCount: 20,
    batchSize: 5,
    // Several batches at once: a batch of one tenant's slow endpoints never holds up the rest.
    maxConcurrency: 4,
    purpose: "Partner callback deliveries, one message group per order",
  },
  scheduleChanges: {
    id: "schedule-changes",
    env: "QUEUE_SCHEDULE_CHANGES",
    visibilityTimeoutSeconds: 180,
    maxReceiveCount: 10,
    batchSize: 5,
    purpose: "DRCT's schedule-change notifications, verified, one message group per DRCT order",
  },
} as const satisfies Record<string, QueueDescription>;

export type QueueKey = keyof typeof QUEUES;

export const dlqIdOf = (queue: QueueDescription): string => `${queue.id}-dlq`;

/** Env var holding the URL of a queue's dead-letter queue, for functions that read or fill it. */
export const deadLetterEnvOf = (queue: QueueDescription): string => `${queue.env}_DLQ`;

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

export const ROUTES = [
  {
    operationId: "health",
    method: "GET",
    readOnly: true,
    path: "/health",
    handler: "http/health",
    auth: "none",
    tables: ["supplierState"],
    secrets: [],
    summary: "Readiness of the gateway and the supplier's state",
  },
  {
    operationId: "openapi",
    method: "GET",
    readOnly: true,
    path: "/openapi.json",
    handler: "http/openapi",
    auth: "none",
    tables: [],
    secrets: [],
    summary: "This API as an OpenAPI 3.1 document",
  },
  {
    operationId: "docs",
    method: "GET",
    readOnly: true,
    path: "/docs",
    handler: "http/docs",
    auth: "none",
    tables: [],
    secrets: [],
    bundledFiles: ["swagger-ui-dist/swagger-ui-bundle.js", "swagger-ui-dist/swagger-ui.css"],
    summary: "This API's reference, as a web page",
  },
  {
    operationId: "searchOffers",
    method: "POST",
    path: "/public/offers/search",
    handler: "http/search-offers",
    auth: "api-key",
    scope: "search",
    tables: ["tenants", "offers", "supplierState", "drctRequestLog", "usage"],
    secrets: ["drctToken"],
    publishesEvents: ["supplier"],
    summary: "Search offers",
  },
  {
    operationId: "priceOffer",
    method: "PATCH",
    path: "/public/offers/{offerId}/price",
    handler: "http/price-offer",
    auth: "api-key",
    scope: "search",
    tables: ["tenants", "offers", "supplierState", "drctRequestLog", "usage"],
    secrets: ["drctToken"],
    publishesEvents: ["supplier"],
    summary: "Confirm an offer's final price with DRCT",
  },
  {
    operationId: "createOrder",
    method: "POST",
    path: "/public/orders",
    handler: "http/create-order",
    auth: "api-key",
    scope: "book",
    idempotent: true,
    tables: ["tenants", "idempotency", "offers", "orders", "auditLog", "supplierState", "drctRequestLog", "usage"],
    // piiIndexKey: the order's contact email is stored as a keyed blind index, for data-subject search.
    secrets: ["drctToken", "piiIndexKey"],
    publishesEvents: ["orders", "supplier"],
    starts: ["orderLifecycle"],
    pii: true,
    summary: "Book an offer: an Order, exactly once per Idempotency-Key",
  },
  {
    operationId: "listOrders",
    method: "GET",
    readOnly: true,
    path: "/public/orders",
    handler: "http/list-orders",
    auth: "api-key",
    scope: "read",
    tables: ["tenants", "orders", "supplierState"],
    secrets: [],
    pii: true,
    summary: "The tenant's orders, newest first, with cursor pagination and a status filter",
  },
  {
    operationId: "getOrder",
    method: "GET",
    readOnly: true,
    path: "/public/orders/{orderId}",
    handler: "http/get-order",
    auth: "api-key",
    scope: "read",
    tables: ["tenants", "orders", "supplierState"],
    secrets: [],
    pii: true,
    summary: "One order, passengers' document numbers masked",
  },
  {
    operationId: "issueOrder",
    method: "POST",
    path: "/public/orders/{orderId}/issue",
    handler: "http/issue-order",
    auth: "api-key",
    scope: "book",
    idempotent: true,
    tables: ["tenants", "idempotency", "orders", "auditLog", "supplierState", "usage"],
    secrets: [],
    sendsTo: ["ticketing"],
    publishesEvents: ["orders"],
    pii: true,
    summary: "Issue tickets for a booked order (queued; the order goes ISSUING, then ISSUED)",
  },
  {
    operationId: "cancelOrder",
    method: "POST",
    path: "/public/orders/{orderId}/cancel",
    handler: "http/cancel-order",
    auth: "api-key",
    scope: "book",
    idempotent: true,
    tables: ["tenants", "idempotency", "orders", "auditLog", "supplierState", "drctRequestLog"],
    secrets: ["drctToken"],
    publishesEvents: ["orders", "supplier"],
    pii: true,
    summary: "Cancel a booked or ticketed order, within its fare rules",
  },
  {
    operationId: "createChangeOffers",
    method: "POST",
    path: "/public/orders/{orderId}/change-offers",
    handler: "http/create-change-offers",
    auth: "api-key",
    scope: "book",
    tables: ["tenants", "orders", "offers", "supplierState", "drctRequestLog"],
    secrets: ["drctToken"],
    // DRCT calls may move the breaker, which is announced (supplier.*): no order events here.
    publishesEvents: ["supplier"],
    pii: true,
    summary: "Price a change of date for an issued order: DRCT's alternatives as change offers",
  },
  {
    operationId: "changeOrder",
    method: "POST",
    path: "/public/orders/{orderId}/changes",
    handler: "http/change-order",
    auth: "api-key",
    scope: "book",
    idempotent: true,
    tables: ["tenants", "idempotency", "orders", "offers", "auditLog", "supplierState", "drctRequestLog", "usage"],
    secrets: ["drctToken"],
    publishesEvents: ["orders", "supplier"],
    pii: true,
    summary: "Apply a change offer: new flights and reissued tickets, exactly once per Idempotency-Key",
  },
  {
    operationId: "listOrderCallbacks",
    method: "GET",
    readOnly: true,
    path: "/public/orders/{orderId}/callbacks",
    handler: "http/list-order-callbacks",
    auth: "api-key",
    scope: "read",
    tables: ["tenants", "orders", "deliveries", "supplierState"],
    secrets: [],
    summary: "The order's callback deliveries, each with every attempt",
  },
  {
    operationId: "replayCallback",
    method: "POST",
    path: "/public/callbacks/{deliveryId}/replay",
    handler: "http/replay-callback",
    auth: "api-key",
    scope: "admin",
    tables: ["tenants", "deliveries", "supplierState"],
    secrets: [],
    sendsTo: ["callbacks"],
    summary: "Send a delivery again, under the same webhook-id",
  },
  {
    operationId: "testCallback",
    method: "POST",
    path: "/public/callbacks/test",
    handler: "http/test-callback",
    auth: "api-key",
    scope: "admin",
    tables: ["tenants", "supplierState", "deliveries"],
    secrets: [],
    webhookSecrets: true,
    summary: "Send a signed ping event to a URL now",
  },
  {
    operationId: "exportPersonalData",
    method: "GET",
    path: "/public/orders/{orderId}/personal-data",
    handler: "http/export-personal-data",
    auth: "api-key",
    // Personal data: the contract gives it to the admin scope.
    scope: "admin",
    readOnly: true,
    audited: true,
    tables: ["tenants", "orders", "auditLog", "supplierState"],
    secrets: [],
    pii: true,
    summary: "Export the order's passenger and contact data, unmasked (audited)",
  },
  {
    operationId: "erasePersonalData",
    method: "DELETE",
    path: "/public/orders/{orderId}/personal-data",
    handler: "http/erase-personal-data",
    auth: "api-key",
    // Personal data: the contract gives it to the admin scope.
    scope: "admin",
    // No pii: the erase removes ciphertext, it never needs to read it.
    tables: ["tenants", "orders", "auditLog", "supplierState"],
    secrets: [],
    summary: "Erase the order's passenger and contact data everywhere (audited)",
  },
  {
    operationId: "searchPersonalData",
    method: "POST",
    path: "/public/personal-data/search",
    handler: "http/search-personal-data",
    auth: "api-key",
    // Personal data: the contract gives it to the admin scope.
    scope: "admin",
    tables: ["tenants", "orders", "auditLog", "supplierState"],
    secrets: ["piiIndexKey"],
    summary: "A data subject's orders, by contact email (audited)",
  },
  {
    operationId: "listEvents",
    method: "GET",
    readOnly: true,
    path: "/public/events",
    handler: "http/list-events",
    auth: "api-key",
    scope: "read",
    tables: ["tenants", "events", "supplierState"],
    secrets: [],
    summary: "The tenant's recent order events, newest first, with cursor pagination and a type filter",
  },
  {
    operationId: "acceptScheduleChange",
    method: "POST",
    path: "/public/orders/{orderId}/schedule-changes/{changeId}/accept",
    handler: "http/accept-schedule-change",
    auth: "api-key",
    scope: "book",
    tables: ["tenants", "orders", "auditLog", "supplierState", "drctRequestLog"],
    secrets: ["drctToken"],
    publishesEvents: ["orders", "supplier"],
    pii: true,
    summary: "Accept an airline schedule change: the new times are kept (acknowledged at DRCT)",
  },
  {
    operationId: "rejectScheduleChange",
    method: "POST",
    path: "/public/orders/{orderId}/schedule-changes/{changeId}/reject",
    handler: "http/reject-schedule-change",
    auth: "api-key",
    scope: "book",
    idempotent: true,
    tables: ["tenants", "idempotency", "orders", "auditLog", "supplierState", "drctRequestLog"],
    secrets: ["drctToken"],
    publishesEvents: ["orders", "supplier"],
    pii: true,
    summary: "Reject an airline schedule change: an involuntary cancellation with a full refund",
  },
  {
    operationId: "getFlightStatus",
    method: "GET",
    readOnly: true,
    // Budgets, breaker and the shared flight-status cache, and the DRCT request log.
    writes: ["supplierState", "drctRequestLog"],
    path: "/public/flights/status",
    handler: "http/flight-status",
    auth: "api-key",
    scope: "search",
    tables: ["tenants", "supplierState", "drctRequestLog"],
    secrets: ["drctToken"],
    // The breaker announces its transitions on the bus, as for every DRCT caller.
    publishesEvents: ["supplier"],
    summary: "Live status of one flight (shared by every caller for a short while)",
  },
  {
    operationId: "receiveDrctNotification",
    method: "POST",
    path: "/drct/notifications",
    handler: "http/drct-notifications",
    // DRCT has no API key of ours: the HMAC signature with the shared notification secret is its proof.
    auth: "none",
    tables: [],
    secrets: ["drctNotificationSecret"],
    sendsTo: ["scheduleChanges"],
    summary: "DRCT's signed notifications (schedule changes): verified, queued, answered at once",
  },
  {
    operationId: "getUsage",
    method: "GET",
    readOnly: true,
    path: "/public/usage",
    handler: "http/get-usage",
    auth: "api-key",
    scope: "read",
    // supplierState: every tenant route answers the tenant's ratelimit-* headers from its bucket.
    tables: ["tenants", "usage", "supplierState"],
    secrets: [],
    summary: "Metered searches, prices, orders and issues per UTC day, for billing",
  },
  {
    operationId: "createTenant",
    method: "POST",
    path: "/ops/api/tenants",
    handler: "ops/create-tenant",
    auth: "operator",
    tables: ["tenants"],
    secrets: [],
    administersTenants: true,
    summary: "Onboard a tenant: its first API key (every scope) and webhook signing secret",
  },
  {
    operationId: "getTenant",
    method: "GET",
    readOnly: true,
    path: "/ops/api/tenants/{tenantId}",
    handler: "ops/get-tenant",
    auth: "operator",
    tables: ["tenants"],
    secrets: [],
    summary: "A tenant's plan, markup, IP allowlist, status and keys (ids and scopes, never the keys)",
  },
  {
    operationId: "updateTenant",
    method: "PATCH",
    path: "/ops/api/tenants/{tenantId}",
    handler: "ops/update-tenant",
    auth: "operator",
    tables: ["tenants"],
    secrets: [],
    administersTenants: true,
    summary: "Change a tenant's plan, markup, IP allowlist or status (active, suspended)",
  },
  {
    operationId: "createApiKey",
    method: "POST",
    path: "/ops/api/tenants/{tenantId}/keys",
    handler: "ops/create-api-key",
    auth: "operator",
    tables: ["tenants"],
    secrets: [],
    administersTenants: true,
    summary: "Add an API key with the given scopes (rotation: add, then revoke the old one)",
  },
  {
    operationId: "revokeApiKey",
    method: "DELETE",
    path: "/ops/api/tenants/{tenantId}/keys/{keyId}",
    handler: "ops/revoke-api-key",
    auth: "operator",
    tables: ["tenants"],
    secrets: [],
    administersTenants: true,
    summary: "Revoke an API key: refused within 5 s",
  },
  {
    operationId: "listAuthEvents",
    method: "GET",
    readOnly: true,
    path: "/ops/api/auth-events",
    handler: "ops/list-auth-events",
    auth: "operator",
    tables: ["authEvents"],
    secrets: [],
    summary: "Refused authentications, newest first, with a tenant and reason filter",
  },
] as const satisfies readonly RouteDescription[];

/**
 * The operators' console and its JSON views and redrives (CONTRACT.md §6; tenant
 * administration is in ROUTES): `auth: "operator"` like every /ops/api route, never in the
 * public OpenAPI document. Read-only on the data, except redrives; no access to the PII key,
 * so personal data cannot reach an operator's screen in clear.
 */
export const OPS_ROUTES = [
  {
    operationId: "opsConsole",
    method: "GET",
    readOnly: true,
    path: "/ops",
    handler: "ops/console",
    // The page holds no data: it asks for the ops key and sends it on every /ops/api call.
    auth: "none",
    tables: [],
    secrets: [],
    summary: "The operators' console, a web page built on /ops/api",
  },
  {
    operationId: "opsListOrders",
    method: "GET",
    path: "/ops/api/orders",
    handler: "ops/list-orders",
    auth: "operator",
    tables: ["orders"],
    secrets: [],
    readOnly: true,
    summary: "Orders by status across tenants, stuck ones first",
  },
  {
    operationId: "opsGetOrder",
    method: "GET",
    path: "/ops/api/orders/{orderId}",
    handler: "ops/get-order",
    auth: "operator",
    tables: ["tenants", "orders", "auditLog", "deliveries", "drctRequestLog"],
    secrets: [],
    readOnly: true,
    inspectsRunsOf: ["orderLifecycle"],
    summary: "One order's timeline: history, workflow executions, DRCT calls, deliveries, audit entries",
  },
  {
    operationId: "opsListDeadLetters",
    method: "GET",
    readOnly: true,
    path: "/ops/api/dead-letters",
    handler: "ops/list-dead-letters",
    auth: "operator",
    tables: [],
    secrets: [],
    redrives: ["ticketing", "callbacks", "scheduleChanges"],
    summary: "Dead-letter queues with their counts and messages, personal data masked",
  },
  {
    operationId: "opsRedriveDeadLetters",
    method: "POST",
    path: "/ops/api/dead-letters/{name}/redrive",
    handler: "ops/redrive-dead-letters",
    auth: "operator",
    tables: [],
    secrets: [],
    redrives: ["ticketing", "callbacks", "scheduleChanges"],
    summary: "Moves a dead-letter queue's messages back to their source queue",
  },
  {
    operationId: "opsSupplier",
    method: "GET",
    path: "/ops/api/supplier",
    handler: "ops/supplier",
    auth: "operator",
    tables: ["tenants", "supplierState", "drctRequestLog"],
    secrets: [],
    readOnly: true,
    summary: "DRCT breaker and budget state, recent DRCT outcomes",
  },
  {
    operationId: "opsListExecutions",
    method: "GET",
    readOnly: true,
    path: "/ops/api/executions",
    handler: "ops/list-executions",
    auth: "operator",
    tables: [],
    secrets: [],
    inspectsRunsOf: ["orderLifecycle", "reconciliation"],
    summary: "Recent workflow executions by status (FAILED ones can be redriven)",
  },
  {
    operationId: "opsRedriveExecution",
    method: "POST",
    path: "/ops/api/executions/{workflow}/{name}/redrive",
    handler: "ops/redrive-execution",
    auth: "operator",
    tables: [],
    secrets: [],
    inspectsRunsOf: ["orderLifecycle", "reconciliation"],
    summary: "Redrives a failed workflow execution from the state that failed",
  },
] as const satisfies readonly RouteDescription[];

/** Every route the API serves: the tenants' and the operators'. */
export const ALL_ROUTES: readonly RouteDescription[] = [...ROUTES, ...OPS_ROUTES];

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

/** The route a request of API Gateway's `httpMethod` on its `resource` path is (undefined: none). */
export const routeOf = (method: string, resource: string): RouteDescription | undefined =>
  (ROUTES as readonly RouteDescription[]).find((route) => route.method === method && route.path === resource);

/**
 * Tables a route's function may touch: its own, and AuthEvents for any route that
 * authenticates (every refusal is recorded there).
 */
export const routeTables = (route: RouteDescription): readonly TableKey[] =>
  route.auth === "none" ? route.tables : [...new Set([...route.tables, "authEvents" as const])];
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

export interface SecretDescription {
  readonly id: string;
  readonly env: string;
  readonly purpose: string;
  /** Why it is not rotated by Secrets Manager (cdk-nag AwsSolutions-SMG4). */
  readonly noRotationBecause: string;
}

export const SECRETS = {
  drctToken: {
    id: "drct-token",
    env: "SECRET_DRCT_TOKEN",
    purpose: "Bearer token of the DRCT account: never leaves the backend",
    noRotationBecause:
      "The DRCT token is issued by DRCT, not generated by us: DRCT's process rotates it and an operator stores it here (README: Deploying).",
  },
  piiIndexKey: {
    id: "pii-index-key",
    env: "SECRET_PII_INDEX_KEY",
    purpose: "HMAC key of the contact-email blind index (data-subject search): generated at deploy, never shown",
    noRotationBecause:
      "Rotating the blind-index key would orphan every stored index (search would stop finding existing orders); it is generated once, random, and only the order-creating and search functions may read it.",
  },
  drctNotificationSecret: {
    id: "drct-notification-secret",
    env: "SECRET_DRCT_NOTIFICATION",
    purpose: "HMAC secret DRCT signs its notifications with: an unsigned or forged one changes nothing",
    noRotationBecause:
      "Issued by DRCT, not generated by us (the secret it signs its notifications with): DRCT's process rotates it and an operator stores it here (README: Deploying).",
  },
} as const satisfies Record<string, SecretDescription>;

export type SecretKey = keyof typeof SECRETS;

/** Environment variable names shared by the CDK stacks, the local runtime and the functions. */
export const ENV = {
  stage: "AVF_STAGE",
  drctBaseUrl: "DRCT_BASE_URL",
  drctTimeoutMs: "DRCT_TIMEOUT_MS",
  drctSearchIntervalMs: "DRCT_SEARCH_INTERVAL_MS",
  drctSlotWaitMs: "DRCT_SLOT_WAIT_MS",
  drctRetryBaseMs: "DRCT_RETRY_BASE_MS",
  drctMaxRetries: "DRCT_MAX_RETRIES",
  coalesceWindowMs: "COALESCE_WINDOW_MS",
  flightStatusCacheS: "FLIGHT_STATUS_CACHE_S",
  offerCacheTtlS: "OFFER_CACHE_TTL_S",
  breakerFailureThreshold: "BREAKER_FAILURE_THRESHOLD",
  breakerWindowMs: "BREAKER_WINDOW_MS",
  breakerCooldownMs: "BREAKER_COOLDOWN_MS",
  eventBusName: "EVENT_BUS_NAME",
  reconcileIntervalS: "RECONCILE_INTERVAL_S",
  reconcileAfterS: "RECONCILE_AFTER_S",
  reconcileGraceS: "RECONCILE_GRACE_S",
  piiRetentionDays: "PII_RETENTION_DAYS",
  piiKmsKeyArn: "PII_KMS_KEY_ARN",
  localPiiKeyFile: "LOCAL_PII_KEY_FILE",
  bookingWaitMs: "BOOKING_WAIT_MS",
  callbackAllowPrivate: "CALLBACK_ALLOW_PRIVATE",
  callbackRetryScheduleS: "CALLBACK_RETRY_SCHEDULE_S",
  callbackTimeoutMs: "CALLBACK_TIMEOUT_MS",
  webhookSecretPrefix: "WEBHOOK_SECRET_PREFIX",
  platformMarkupBps: "PLATFORM_MARKUP_BPS",
  localSecretsDir: "LOCAL_SECRETS_DIR",
  maxBodyBytes: "MAX_BODY_BYTES",
  usagePlanStandard: "USAGE_PLAN_STANDARD",
  usagePlanPremium: "USAGE_PLAN_PREMIUM",
  serviceName: "POWERTOOLS_SERVICE_NAME",
  logLevel: "POWERTOOLS_LOG_LEVEL",
} as const;

/**
 * Settings a stage decides at deploy time (CDK context of the same name, else this default),
 * given to the functions whose description asks for them.
 */
export const STAGE_SETTINGS = {
  /** Personal data is erased this many days after the order's last flight. */
  piiRetentionDays: "90",
} as const satisfies Partial<Record<keyof typeof ENV, string>>;
export type StageSetting = keyof typeof STAGE_SETTINGS;

/** The fields the field cipher encrypts, each under an encryption context naming it (`field`). */
export const PII_FIELDS = ["passengers", "contact"] as const;
/** The KMS condition key that names the field of a passenger-data encryption context. */
export const PII_CONTEXT_KEY = "kms:EncryptionContext:field";

/** The largest request body the API takes (the handlers answer 413 above it; the WAF agrees). */
export const MAX_BODY_BYTES = 64 * 1024;

/** A rate: `limit` calls per `windowMs`, of which `burst` may come at once. */
export interface RateLimit {
  readonly limit: number;
  readonly windowMs: number;
  readonly burst: number;
}

export type SupplierOperation =
  | "search"
  | "price"
  | "order_create"
  | "order_get"
  | "issue"
  | "cancel"
  | "release"
  | "change_offers"
  | "change"
  | "order_read"
  | "flight_status"
  | "schedule_change_ack";

/**
 * DRCT's contract for the whole account. Search is 1/s by contract; we keep 10% under it
 * (DRCT_SEARCH_INTERVAL_MS) for clock and network jitter. The rest are our own caps.
 */
export const ACCOUNT_LIMITS: Record<SupplierOperation, RateLimit> = {
  search: { limit: 1, windowMs: 1_100, burst: 1 },
  price: { limit: 5, windowMs: 1_000, burst: 5 },
  order_create: { limit: 5, windowMs: 1_000, burst: 5 },
  order_get: { limit: 10, windowMs: 1_000, burst: 10 },
  issue: { limit: 5, windowMs: 1_000, burst: 5 },
  cancel: { limit: 5, windowMs: 1_000, burst: 5 },
  release: { limit: 5, windowMs: 1_000, burst: 5 },
  change_offers: { limit: 5, windowMs: 1_000, burst: 5 },
  change: { limit: 5, windowMs: 1_000, burst: 5 },
  // The schedule watch's reads of booked orders: a budget of their own, so the sweep never
  // takes what reconciliation (order_get), searches or bookings need.
  order_read: { limit: 4, windowMs: 1_000, burst: 4 },
  flight_status: { limit: 5, windowMs: 1_000, burst: 5 },
  schedule_change_ack: { limit: 5, windowMs: 1_000, burst: 5 },
};

/**
 * Plans a tenant subscribes to. API Gateway usage plans cap requests; `supplier` caps the
 * DRCT calls a tenant may cause (cache hits and coalesced searches cost nothing), so one
 * agency cannot use up the shared account's search budget.
 */
export const PLANS = {
  standard: {
    /** Its share of contended DRCT search slots, relative to other plans' (fair queueing). */
    fairShareWeight: 1,
    rateLimit: 10,
    burstLimit: 20,
    quotaPerDay: 20_000,
    supplier: {
      search: { limit: 12, windowMs: 60_000, burst: 3 },
      price: { limit: 60, windowMs: 60_000, burst: 10 },
    },
  },
  premium: {
    fairShareWeight: 2,
    rateLimit: 50,
    burstLimit: 100,
    quotaPerDay: 200_000,
    supplier: {
      // The account's own pace (DRCT allows 1/s): a premium agency is limited by DRCT only.
      search: { limit: 55, windowMs: 60_000, burst: 10 },
      price: { limit: 240, windowMs: 60_000, burst: 30 },
    },
  },
} as const satisfies Record<
  string,
  {
    fairShareWeight: number;
    rateLimit: number;
    burstLimit: number;
    quotaPerDay: number;
    supplier: Partial<Record<SupplierOperation, RateLimit>>;
  }
>;

/** Event sources and detail types on the bus. */
export const EVENTS = {
  supplier: { source: "aviaframe.supplier", detailTypes: ["supplier.degraded", "supplier.recovered"] },
  orders: {
    source: "aviaframe.orders",
    detailTypes: [
      "order.booked",
      "order.issued",
      "order.failed",
      "order.cancelled",
      "order.expired",
      "order.passengers_cancelled",
      "order.changed",
      "order.reconciled",
      "order.schedule_changed",
      "order.flight_disrupted",
    ],
  },
} as const;

export type EventSourceKey = keyof typeof EVENTS;

export interface EventRuleDescription {
  readonly id: string;
  readonly source: string;
  readonly detailTypes: readonly string[];
  /**
   * `log`: kept for operators (a CloudWatch log group in AWS, DATA_DIR/events.jsonl locally);
   * a function: invoked with each event (asynchronously, with retries), as EventBridge does.
   */
  readonly target: "log" | { readonly function: EventFunctionKey };
  readonly purpose: string;
}

export const EVENT_RULES: readonly EventRuleDescription[] = [
  {
    id: "order-callbacks",
    source: EVENTS.orders.source,
    detailTypes: CALLBACK_EVENTS,
    target: { function: "callbackDispatcher" },
    purpose: "Turns order events into partner callback deliveries (CONTRACT.md §4)",
  },
  {
    id: "order-event-feed",
    source: EVENTS.orders.source,
    detailTypes: EVENTS.orders.detailTypes,
    target: { function: "eventRecorder" },
    purpose: "Keeps each tenant's recent order events for GET /public/events",
  },
  {
    id: "order-lifecycle",
    source: EVENTS.orders.source,
    detailTypes: EVENTS.orders.detailTypes,
    target: "log",
    purpose: "Order lifecycle events, kept for operators (partner callbacks subscribe too)",
  },
  {
    id: "supplier-health",
    source: EVENTS.supplier.source,
    detailTypes: EVENTS.supplier.detailTypes,
    target: "log",
    purpose: "DRCT circuit breaker transitions, for operators and alarms",
  },
];

export type PlanName = keyof typeof PLANS;

/**
 * Our own CloudWatch metrics (EMF, namespace `Aviaframe`, dimension service=aviaframe), by
 * name and the dimension that splits them: the functions emit them, the dashboard and the
 * alarms (lib/cloud) read them.
 */
export const METRICS = {
  namespace: "Aviaframe",
  /** Every DRCT call; `outcome`: 2xx, 4xx, 401, 429, 5xx, timeout, network_error, circuit_open. */
  drctCalls: { name: "DrctCalls", dimension: "outcome" },
  /** DRCT latency in ms; `operation`: search, price, order_create, … */
  drctLatency: { name: "DrctLatency", dimension: "operation" },
  breakerOpened: { name: "SupplierBreakerOpened" },
  breakerClosed: { name: "SupplierBreakerClosed" },
  /** Every search answered; `source`: cache (the tenant's cache), coalesced (joined another's call), drct. */
  searches: { name: "Searches", dimension: "source", values: ["cache", "coalesced", "drct"] },
  /** Every callback attempt; `outcome`: delivered, retry, blocked, dead_lettered. */
  callbackAttempts: {
    name: "CallbackAttempts",
    dimension: "outcome",
    values: ["delivered", "retry", "blocked", "dead_lettered"],
  },
} as const;

export const physicalName = (prefix: string, id: string): string => `${prefix}-${id}`;

/** The usage plan's name in a stage: `<prefix>-<plan>` (CDK names it so; locally its id too). */
export const usagePlanName = (prefix: string, plan: PlanName): string => physicalName(prefix, plan);
