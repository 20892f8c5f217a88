import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, test } from "vitest";
import { signDrctNotification } from "../../functions/domain/drct-notification";
import { FUNCTION_HANDLERS, LOCAL_ACCOUNT, LOCAL_REGION } from "../../lib/local/deployed-app";
import { LOCAL_DRCT_NOTIFICATION_SECRET } from "../../lib/local/seed";
import { WORKFLOWS } from "../../lib/resources";
import { API_KEYS, isoDay, searchBody, sleep, useLocalRuntime } from "./harness";

/**
 * Deploy readiness: every function of the synthesized app, each in its own execution
 * environments with exactly its template's environment and IAM enforced, invoked on a
 * representative event (a whole order's life through the API, then each task, consumer and
 * event target directly): no variable is missing, no call is denied, nothing fails.
 */
const api = useLocalRuntime({ env: { RECONCILE_AFTER_S: "0", CALLBACK_ALLOW_PRIVATE: "true" } });
const passenger = {
  type: "adult",
  given_name: "Ready",
  family_name: "Deploy",
  birth_date: "1980-05-06",
  gender: "female",
  document: {
    type: "passport",
    number: "R1234567",
    issuing_country: "DE",
    nationality: "DE",
    expires_on: "2040-01-01",
  },
};
const status = new Map<string, number>();
const call = async (name: string, path: string, options: Parameters<typeof api.call>[1] = {}) => {
  const answer = await api.call(path, options);
  status.set(name, answer.status);
  return answer;
};

type OrderRef = { order_id: string; tenant_id: string };
let lived: Promise<OrderRef> | undefined;

/** An order's whole life through every API route, once, whichever test needs it first. */
const lifeOfAnOrder = (): Promise<OrderRef> => {
  lived ??= liveAnOrder();
  return lived;
};

const liveAnOrder = async (): Promise<OrderRef> => {
  await call("health", "/health", { key: null });
  await call("openapi", "/openapi.json", { key: null });
  // The reference is a web page, not JSON.
  status.set("docs", (await fetch(`${api.runtime.apiUrl}/docs`)).status);
  const search = await api.search(API_KEYS.a, searchBody({ origin: "HAM", destination: "MUC" }));
  status.set("searchOffers", search.status);
  const offerId = (search.body.offers as { id: string }[])[0]?.id ?? "";
  await call("priceOffer", `/public/offers/${offerId}/price`, { method: "PATCH" });
  const created = await call("createOrder", "/public/orders", {
    body: { offer_id: offerId, passengers: [passenger], contact: { email: "r@example.com", phone: "+4930123456" } },
    headers: { "idempotency-key": randomUUID() },
  });
  const orderId = String(created.body.id);
  const order = { order_id: orderId, tenant_id: "agency-a" };
  await call("listOrders", "/public/orders");
  await call("getOrder", `/public/orders/${orderId}`);
  await call("issueOrder", `/public/orders/${orderId}/issue`, {
    body: { payment: { type: "external", reference: "INV-1" } },
    headers: { "idempotency-key": randomUUID() },
  });
  for (let tries = 0; tries < 50; tries += 1) {
    if ((await api.call<{ status: string }>(`/public/orders/${orderId}`)).body.status !== "ISSUING") break;
    await sleep(200);
  }
  const offered = await call("createChangeOffers", `/public/orders/${orderId}/change-offers`, {
    body: { departure_date: isoDay(40) },
  });
  const changeOfferId = (offered.body.change_offers as { id: string }[] | undefined)?.[0]?.id;
  await call("changeOrder", `/public/orders/${orderId}/changes`, {
    body: { change_offer_id: changeOfferId ?? `chg_${"0".repeat(24)}` },
    headers: { "idempotency-key": randomUUID() },
  });
  await disruptAnOrder(orderId);
  await call("cancelOrder", `/public/orders/${orderId}/cancel`, {
    body: {},
    headers: { "idempotency-key": randomUUID() },
  });
  await call("listOrderCallbacks", `/public/orders/${orderId}/callbacks`);
  await call("exportPersonalData", `/public/orders/${orderId}/personal-data`);
  await call("searchPersonalData", "/public/personal-data/search", { body: { email: "ada@example.com" } });
  await call("erasePersonalData", `/public/orders/${orderId}/personal-data`, { method: "DELETE" });
  await call("replayCallback", `/public/callbacks/dlv_${"0".repeat(24)}/replay`, { method: "POST" });
  await call("getUsage", "/public/usage");
  await call("listEvents", "/public/events");
  // Nothing listens on port 9: the ping is signed with the tenant's secret and its attempt fails.
  await call("testCallback", "/public/callbacks/test", { body: { url: "http://127.0.0.1:9/hook" } });
  // Tenant administration: onboarding, a plan change (the key moves usage plans), rotation.
  const ops = { key: null, headers: { "x-ops-key": api.runtime.opsKey } };
  const tenant = "/ops/api/tenants/agency-ready";
  await call("createTenant", "/ops/api/tenants", {
    ...ops,
    body: { tenant_id: "agency-ready", plan: "standard", markup: { type: "fixed", amount: "1.00" } },
  });
  await call("getTenant", tenant, ops);
  await call("updateTenant", tenant, { ...ops, method: "PATCH", body: { plan: "premium", ip_allowlist: ["::1"] } });
  const key = await call("createApiKey", `${tenant}/keys`, { ...ops, body: { scopes: ["read"] } });
  await call("revokeApiKey", `${tenant}/keys/${String(key.body.key_id)}`, { ...ops, method: "DELETE" });
  await call("listAuthEvents", "/ops/api/auth-events", ops);
  // API Gateway's own refusal: its access log line goes to the refusal recorder.
  await api.call("/public/usage", { key: "not-a-key-of-anyone" });
  // The ops console and its views, with the same ops key.
  status.set("opsConsole", (await fetch(`${api.runtime.apiUrl}/ops`)).status);
  await call("opsListOrders", "/ops/api/orders?status=CANCELLED", ops);
  await call("opsGetOrder", `/ops/api/orders/${orderId}`, ops);
  await call("opsListDeadLetters", "/ops/api/dead-letters", ops);
  await call("opsRedriveDeadLetters", "/ops/api/dead-letters/ticketing/redrive", { ...ops, method: "POST" });
  await call("opsSupplier", "/ops/api/supplier", ops);
  await call("opsListExecutions", "/ops/api/executions", ops);
  // The order's booking succeeded: Step Functions refuses to redrive it (409), after the grant let the call through.
  await call("opsRedriveExecution", `/ops/api/executions/orderLifecycle/${orderId}/redrive`, {
    ...ops,
    method: "POST",
  });
  return order;
};

interface Disrupted {
  drct_order_id?: string;
  segments?: { carrier: string; flight_number: string; departs_at: string }[];
  schedule_changes?: { id: string }[];
}

/** The airline moves the order's flights; DRCT's signed notification; accept, reject; its flight's status. */
const disruptAnOrder = async (orderId: string): Promise<void> => {
  const order = (await api.call<Disrupted>(`/public/orders/${orderId}`)).body;
  const [segment] = order.segments ?? [];
  const query = `carrier=${segment?.carrier}&flight_number=${segment?.flight_number}&date=${segment?.departs_at.slice(0, 10)}`;
  await call("getFlightStatus", `/public/flights/status?${query}`);
  await api.sim("/__sim/notifications", { enabled: false });
  const moved = await api.sim<{ changed: { change_id: string }[] }>("/__sim/schedule-change", {
    drct_order_id: order.drct_order_id,
    minutes: 30,
  });
  const raw = JSON.stringify({
    id: `ntf_${randomUUID()}`,
    type: "order.schedule_changed",
    created_at: new Date().toISOString(),
    data: { order_id: order.drct_order_id, change_id: moved.changed[0]?.change_id },
  });
  const signature = signDrctNotification(LOCAL_DRCT_NOTIFICATION_SECRET, Math.floor(Date.now() / 1000), raw);
  await call("receiveDrctNotification", "/drct/notifications", {
    key: null,
    rawBody: raw,
    headers: { "content-type": "application/json", "drct-signature": signature },
  });
  let changeId = "sch_0000000000";
  for (let tries = 0; tries < 50; tries += 1) {
    const seen = (await api.call<Disrupted>(`/public/orders/${orderId}`)).body.schedule_changes?.[0]?.id;
    if (seen !== undefined) {
      changeId = seen;
      break;
    }
    await sleep(200);
  }
  const path = `/public/orders/${orderId}/schedule-changes/${changeId}`;
  await call("acceptScheduleChange", `${path}/accept`, { method: "POST" });
  // Accepted already: a 409, but through the whole function.
  await call("rejectScheduleChange", `${path}/reject`, { body: {}, headers: { "idempotency-key": randomUUID() } });
};

describe("every function, as synthesized, runs with what its template gives it", () => {
  test("the API routes, through an order's whole life", async () => {
    await lifeOfAnOrder();
    for (const [name, code] of status) expect(code, name).toBeLessThan(500);
    for (const name of ["createTenant", "createApiKey"]) expect(status.get(name), name).toBe(201);
    for (const name of ["getTenant", "updateTenant", "revokeApiKey", "listAuthEvents"]) {
      expect(status.get(name), name).toBe(200);
    }
    expect([...status.keys()].sort()).toEqual(
      FUNCTION_HANDLERS.filter(([name]) => name.startsWith("Route-"))
        .map(([name]) => name.slice("Route-".length))
        .sort(),
    );
    // Every route's function starts cold here, one after another (the operators' too): minutes are not the point, a limit is.
  }, 120_000);

  test("the workflow tasks, the queue consumers and the bus's target", async () => {
    const order = await lifeOfAnOrder();
    const sweep = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:aviaframe-local-${WORKFLOWS.reconciliation.id}`;
    const invoke = (name: string, event: unknown) => api.runtime.functions.get(name).invoke(event);
    const sqsEvent = (body: unknown) => ({
      Records: [
        {
          messageId: randomUUID(),
          receiptHandle: "rh",
          body: JSON.stringify(body),
          attributes: { ApproximateReceiveCount: "1", MessageGroupId: order.order_id },
          messageAttributes: {},
          md5OfBody: "",
          eventSource: "aws:sqs",
          eventSourceARN: "arn:aws:sqs:local:000000000000:q.fifo",
          awsRegion: LOCAL_REGION,
        },
      ],
    });
    await expect(invoke("Task-bookOrder", order)).resolves.toMatchObject({ status: expect.any(String) });
    await expect(invoke("Task-reconcileOrder", order)).resolves.toMatchObject({ status: expect.any(String) });
    await expect(invoke("Task-expireOrder", order)).resolves.toMatchObject({ status: expect.any(String) });
    await expect(
      invoke("Task-findUncertainOrders", { input: {}, execution_arn: `${sweep}:x`, state_machine_arn: sweep }),
    ).resolves.toMatchObject({ orders: expect.any(Array) });
    await expect(invoke("Task-eraseExpiredPersonalData", {})).resolves.toMatchObject({ erased: expect.any(Number) });
    const ticketing = sqsEvent({ tenantId: order.tenant_id, orderId: order.order_id, correlationId: "c" });
    await expect(invoke("Consumer-ticketing", ticketing)).resolves.toEqual({ batchItemFailures: [] });
    await expect(invoke("Task-checkSchedule", order)).resolves.toMatchObject({ outcome: expect.any(String) });
    const drctOrderId = (await api.call<Disrupted>(`/public/orders/${order.order_id}`)).body.drct_order_id;
    const scheduleChange = sqsEvent({ drctOrderId, changeId: "SC1" });
    await expect(invoke("Consumer-scheduleChanges", scheduleChange)).resolves.toEqual({ batchItemFailures: [] });
    const callback = sqsEvent({ deliveryId: `dlv_${"1".repeat(24)}` });
    await expect(invoke("Consumer-callbacks", callback)).resolves.toEqual({ batchItemFailures: [] });
    await expect(
      invoke("Event-callbackDispatcher", {
        version: "0",
        id: randomUUID(),
        "detail-type": "order.booked",
        source: "aviaframe.orders",
        account: LOCAL_ACCOUNT,
        time: new Date().toISOString(),
        region: LOCAL_REGION,
        resources: [],
        // The order's own order.booked, as the bus carried it.
        detail: api.runtime.events.find(
          (event) =>
            event["detail-type"] === "order.booked" &&
            (event.detail as { order_id?: string }).order_id === order.order_id,
        )?.detail,
      }),
    ).resolves.toBeNull();
  }, 120_000);
});

afterAll(() => {
  // Whatever ran — directly or through the API, the workflows, the pollers and the bus —
  // nothing was missing a variable or refused a call.
  const failures = FUNCTION_HANDLERS.flatMap(([name]) =>
    api.runtime.functions
      .get(name)
      .record.errors.filter((error) => /is not set|AccessDenied/.test(`${error.name} ${error.message}`))
      .map((error) => `${name}: ${error.name}: ${error.message}`),
  );
  expect(failures).toEqual([]);
  expect(api.runtime.functions.denials).toEqual([]);
  for (const [name] of FUNCTION_HANDLERS) {
    expect(api.runtime.functions.get(name).record.invocations, `${name} was never invoked`).toBeGreaterThan(0);
  }
});
