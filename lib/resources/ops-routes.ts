/** The operators' routes, and every route the API serves. */
import type { RouteDescription } from "./functions";
import { ROUTES } from "./routes";

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
