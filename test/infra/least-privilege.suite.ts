import { beforeAll, describe, expect, test } from "vitest";
import {
  ALL_ROUTES,
  CONSUMERS,
  EVENT_FUNCTIONS,
  EVENTS,
  type FunctionDescription,
  PII_CONTEXT_KEY,
  PII_FIELDS,
  TABLES,
  TASKS,
} from "../../lib/resources";
import { functionPolicy, type RolePolicy } from "../../lib/template/iam";
import type { TemplateResolver } from "../../lib/template/resolve";
import { ENVIRONMENT, synthesized } from "./synthesized";

/**
 * The security review's least-privilege findings, over the synthesized template: read routes
 * hold no write action, passenger data has its own key that only the functions declared
 * `pii` may use (and only for passenger fields), and few may put order events on the bus.
 */
const arn = (service: string, resource: string) =>
  `arn:aws:${service}:${ENVIRONMENT.region}:${ENVIRONMENT.account}:${resource}`;

const FUNCTIONS: [logicalPrefix: string, description: FunctionDescription][] = [
  ...ALL_ROUTES.map((route): [string, FunctionDescription] => [`Route${route.operationId}Fn`, route]),
  ...Object.entries(TASKS).map(([key, task]): [string, FunctionDescription] => [`Task${key}Fn`, task]),
  ...Object.entries(CONSUMERS).map(([key, fn]): [string, FunctionDescription] => [`Consumer${key}Fn`, fn]),
  ...Object.entries(EVENT_FUNCTIONS).map(([key, fn]): [string, FunctionDescription] => [`Event${key}Fn`, fn]),
];

const WRITE_ACTIONS = [
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:BatchWriteItem",
  "dynamodb:PartiQLDelete",
];

let resolver: TemplateResolver;
let piiKeyArn: string;
let dataKeyArn: string;
const policies = new Map<string, RolePolicy>();

beforeAll(() => {
  resolver = synthesized().resolver;
  const keyId = (prefix: string) => resolver.ofType("AWS::KMS::Key").find(([id]) => id.startsWith(prefix))?.[0];
  piiKeyArn = arn("kms", `key/${keyId("PiiKey")}`);
  dataKeyArn = arn("kms", `key/${keyId("DataKey")}`);
  for (const [prefix] of FUNCTIONS) {
    const [logicalId] = resolver.ofType("AWS::Lambda::Function").find(([id]) => id.startsWith(prefix)) ?? [];
    if (logicalId === undefined) throw new Error(`no function ${prefix}`);
    policies.set(prefix, functionPolicy(resolver, logicalId));
  }
});

const policyOf = (prefix: string): RolePolicy => {
  const policy = policies.get(prefix);
  if (policy === undefined) throw new Error(`no policy for ${prefix}`);
  return policy;
};

describe("least privilege, as synthesized", () => {
  test("every GET route is read-only: no write action on any table but appending its refusals to AuthEvents (and DRCT's books for one that asks DRCT, the AuditLog for an audited export)", () => {
    const reads = ALL_ROUTES.filter((route) => route.method === "GET");
    expect(reads.length).toBeGreaterThanOrEqual(6);
    const writes: string[] = [];
    for (const route of reads) {
      const policy = policyOf(`Route${route.operationId}Fn`);
      for (const table of Object.values(TABLES)) {
        if ("audited" in route && route.audited && table.id === TABLES.auditLog.id) continue;
        const tableArn = arn("dynamodb", `table/aviaframe-dev-${table.id}`);
        // A GET that asks DRCT (flight status) keeps DRCT's books as every DRCT caller does:
        // budgets, breaker and coalescing (SupplierState) and the request log; nothing else.
        const asksDrct = (route.secrets as readonly string[]).includes("drctToken");
        const supplierBooks =
          asksDrct && (table.id === TABLES.supplierState.id || table.id === TABLES.drctRequestLog.id);
        for (const action of WRITE_ACTIONS) {
          const recordsRefusal = table.id === TABLES.authEvents.id && action === "dynamodb:PutItem";
          if (policy.allows(action, tableArn) && !recordsRefusal && !supplierBooks) {
            writes.push(`${route.operationId}: ${action} on ${table.id}`);
          }
        }
      }
    }
    expect(writes).toEqual([]);
    // And the check can see a write: the create route holds one.
    expect(
      policyOf("RoutecreateOrderFn").allows("dynamodb:PutItem", arn("dynamodb", "table/aviaframe-dev-Orders")),
    ).toBe(true);
  });

  test("passenger data has its own key, apart from the tables' key", () => {
    expect(piiKeyArn).not.toBe(dataKeyArn);
    expect(resolver.ofType("AWS::KMS::Key").some(([id]) => id.startsWith("PiiKey"))).toBe(true);
  });

  test("only the functions that need passenger data may use its key, and only for passenger fields", () => {
    const allowed: string[] = [];
    for (const [prefix, description] of FUNCTIONS) {
      const policy = policyOf(prefix);
      const canUse = PII_FIELDS.every((field) =>
        ["kms:Decrypt", "kms:GenerateDataKey"].every((action) =>
          policy.allows(action, piiKeyArn, { [PII_CONTEXT_KEY]: field }),
        ),
      );
      if (canUse) allowed.push(prefix);
      // Without the passenger-field context (any other use of the key) nobody may.
      expect(policy.allows("kms:Decrypt", piiKeyArn), prefix).toBe(false);
      expect(policy.allows("kms:Decrypt", piiKeyArn, { [PII_CONTEXT_KEY]: "anything-else" }), prefix).toBe(false);
      expect(canUse, prefix).toBe(description.pii === true);
    }
    expect(allowed.length).toBeGreaterThan(0);
    // Readers of the orders table with no business with names cannot decrypt them.
    expect(allowed).not.toContain("EventcallbackDispatcherFn");
    expect(allowed).not.toContain("RoutelistOrderCallbacksFn");
  });

  test("only the functions that move orders may put order events on the bus", () => {
    const busArn = arn("events", "event-bus/aviaframe-dev-events");
    const publishers = FUNCTIONS.filter(([prefix]) =>
      policyOf(prefix).allows("events:PutEvents", busArn, { "events:source": EVENTS.orders.source }),
    ).map(([prefix]) => prefix);
    expect(publishers.sort()).toEqual(
      FUNCTIONS.filter(([, description]) => description.publishesEvents?.includes("orders"))
        .map(([prefix]) => prefix)
        .sort(),
    );
    for (const forbidden of [
      "RoutesearchOffersFn",
      "RoutepriceOfferFn",
      "EventcallbackDispatcherFn",
      "EventeventRecorderFn",
    ]) {
      expect(publishers).not.toContain(forbidden);
    }
    // Nobody may put events under a source of their own making.
    for (const [prefix] of FUNCTIONS) {
      expect(policyOf(prefix).allows("events:PutEvents", busArn, { "events:source": "aviaframe.forged" }), prefix).toBe(
        false,
      );
    }
  });
});
