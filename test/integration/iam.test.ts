import { randomUUID } from "node:crypto";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import { LOCAL_ACCOUNT, LOCAL_REGION } from "../../lib/local/deployed-app";
import { physicalName, TABLES, WORKFLOWS } from "../../lib/resources";
import { RolePolicy } from "../../lib/template/iam";
import { API_KEYS, searchBody, useLocalRuntime } from "./harness";

/**
 * IAM is enforced locally as in AWS: each function's calls carry its own credentials and are
 * checked against the role the CDK app synthesizes for it. Taking one grant away (here, for a
 * sample of functions) makes the very call that needs it fail with AccessDeniedException,
 * naming the action and the resource.
 */
// Loopback callbacks allowed: the booked order below has a callback URL (nothing listens there).
const api = useLocalRuntime({ env: { CALLBACK_ALLOW_PRIVATE: "true" } });
const arn = (service: string, resource: string) => `arn:aws:${service}:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${resource}`;
const tableArn = (key: keyof typeof TABLES) =>
  arn("dynamodb", `table/${physicalName("aviaframe-local", TABLES[key].id)}`);
const sweepArn = arn("states", `stateMachine:aviaframe-local-${WORKFLOWS.reconciliation.id}`);

/** The function's role without any statement resource `revoked` matches (exactly, or as a prefix of an index ARN). */
const revoke = (name: string, revoked: string) => {
  const policy = api.runtime.functions.policyOf(name);
  const kept = policy.statements
    .map((statement) => ({
      ...statement,
      resources: statement.resources.filter((resource) => resource !== revoked && !resource.startsWith(`${revoked}/`)),
    }))
    .filter((statement) => statement.resources.length > 0);
  const count = (statements: readonly { resources: readonly string[] }[]) =>
    statements.reduce((sum, statement) => sum + statement.resources.length, 0);
  expect(count(kept), `${name} has a grant on ${revoked}`).toBeLessThan(count(policy.statements));
  api.runtime.functions.setPolicy(name, new RolePolicy(kept));
};

const REVOKED_IN_THESE_TESTS = [
  "Task-reconcileOrder",
  "Task-findUncertainOrders",
  "Route-health",
  "Route-searchOffers",
  "Event-callbackDispatcher",
  "Route-createApiKey",
];

const deniedSince = (count: number) => api.runtime.functions.denials.slice(count);

let bookedOrder: { order_id: string; tenant_id: string };

beforeAll(async () => {
  const search = await api.search(API_KEYS.a, searchBody({ origin: "OSL", destination: "BGO" }));
  const offerId = (search.body.offers as { id: string }[])[0]?.id ?? "";
  const created = await api.call<{ id: string }>("/public/orders", {
    body: {
      offer_id: offerId,
      passengers: [
        { type: "adult", given_name: "Ada", family_name: "Lovelace", birth_date: "1985-12-10", gender: "female" },
      ],
      contact: { email: "ada@example.com", phone: "+4791234567" },
      callback_url: "http://127.0.0.1:9/hooks",
    },
    headers: { "idempotency-key": randomUUID() },
  });
  expect(created.status, JSON.stringify(created.body)).toBeLessThan(300);
  bookedOrder = { order_id: created.body.id, tenant_id: "agency-a" };
}, 60_000);

afterEach(() => {
  for (const name of REVOKED_IN_THESE_TESTS) {
    api.runtime.functions.setPolicy(name, undefined);
  }
});

describe("a grant taken away is an AccessDeniedException naming it", () => {
  test("Task-reconcileOrder without the Tenants table (the order steps read the tenant's plan)", async () => {
    const fn = api.runtime.functions.get("Task-reconcileOrder");
    await expect(fn.invoke(bookedOrder)).resolves.toBeDefined();
    revoke("Task-reconcileOrder", tableArn("tenants"));
    const failure = fn.invoke(bookedOrder);
    await expect(failure).rejects.toMatchObject({ name: "AccessDeniedException" });
    await expect(failure).rejects.toThrow(`dynamodb:GetItem on resource: ${tableArn("tenants")}`);
  });

  test("Task-findUncertainOrders without listing the sweep's own runs", async () => {
    const fn = api.runtime.functions.get("Task-findUncertainOrders");
    const input = {
      input: {},
      execution_arn: `${sweepArn.replace(":stateMachine:", ":execution:")}:x`,
      state_machine_arn: sweepArn,
    };
    await expect(fn.invoke(input)).resolves.toMatchObject({ orders: expect.any(Array) });
    revoke("Task-findUncertainOrders", sweepArn);
    await expect(fn.invoke(input)).rejects.toThrow(`states:ListExecutions on resource: ${sweepArn}`);
  });

  test("Route-health without the supplier state: 503, and the refused call on record", async () => {
    expect((await api.call("/health", { key: null })).status).toBe(200);
    const before = api.runtime.functions.denials.length;
    revoke("Route-health", tableArn("supplierState"));
    expect((await api.call("/health", { key: null })).status).toBe(503);
    expect(deniedSince(before)).toEqual([
      { caller: "Route-health", action: "dynamodb:GetItem", resource: tableArn("supplierState") },
    ]);
  });

  test("Route-searchOffers without the Tenants table's index (the API key lookup of a tenant not seen yet)", async () => {
    const before = api.runtime.functions.denials.length;
    revoke("Route-searchOffers", `${tableArn("tenants")}/index/*`);
    const answer = await api.call("/public/offers/search", {
      key: API_KEYS.b,
      body: searchBody({ origin: "OSL", destination: "TRD" }),
    });
    expect(answer.status).toBe(500);
    expect(deniedSince(before)[0]).toEqual({
      caller: "Route-searchOffers",
      action: "dynamodb:Query",
      resource: `${tableArn("tenants")}/index/by_api_key_id`,
    });
  });
});

describe("API Gateway's control plane is behind IAM too", () => {
  test("Route-createApiKey without its API key grants: no key, a 500, and apigateway:POST on /apikeys on record", async () => {
    const apiKeys = `arn:aws:apigateway:${LOCAL_REGION}::/apikeys`;
    const before = api.runtime.functions.denials.length;
    revoke("Route-createApiKey", apiKeys);
    const answer = await api.call("/ops/api/tenants/agency-b/keys", {
      key: null,
      headers: { "x-ops-key": api.runtime.opsKey },
      body: { scopes: ["read"] },
    });
    expect(answer.status).toBe(500);
    expect(deniedSince(before)).toEqual([
      { caller: "Route-createApiKey", action: "apigateway:POST", resource: apiKeys },
    ]);
  });
});

describe("an event its target cannot take is not lost", () => {
  test("Event-callbackDispatcher without the Deliveries table: after its tries, the order event waits in the undelivered-events queue", async () => {
    const booked = api.runtime.events.find(
      (event) =>
        event["detail-type"] === "order.booked" &&
        (event.detail as { order_id?: string }).order_id === bookedOrder.order_id,
    );
    expect(booked).toBeDefined();
    revoke("Event-callbackDispatcher", tableArn("deliveries"));
    // The order's own event again (its order has a callback URL: a delivery to make).
    const detail = booked?.detail as Record<string, unknown>;
    const bus = new EventBridgeClient({});
    await bus.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: process.env.EVENT_BUS_NAME,
            Source: booked?.source,
            DetailType: booked?.["detail-type"],
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );
    bus.destroy();
    await api.runtime.workflowsIdle(15_000);
    const queue = new SQSClient({ useQueueUrlAsEndpoint: false });
    const received = await queue.send(
      new ReceiveMessageCommand({
        QueueUrl: api.runtime.undeliveredEventsUrl,
        MessageAttributeNames: ["All"],
        WaitTimeSeconds: 1,
      }),
    );
    queue.destroy();
    const [message] = received.Messages ?? [];
    expect(JSON.parse(message?.Body ?? "{}")).toMatchObject({ "detail-type": "order.booked", detail });
    expect(message?.MessageAttributes?.ERROR_CODE?.StringValue).toBe("AccessDeniedException");
  });
});

describe("nothing else is refused", () => {
  test("the calls above, with every grant in place, were all allowed", () => {
    const unexpected = api.runtime.functions.denials.filter(
      (denial) => !REVOKED_IN_THESE_TESTS.includes(denial.caller),
    );
    expect(unexpected).toEqual([]);
  });
});
