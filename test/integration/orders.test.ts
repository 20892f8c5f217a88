import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { API_KEYS, isoDay, searchBody, sleep, useLocalRuntime } from "./harness";

interface Order {
  id: string;
  status: string;
  offer_id: string;
  price: { total: number };
  passengers: { given_name: string; document?: { number: string } }[];
  tickets?: { passenger_index: number; number: string }[];
  drct_order_id?: string;
  failure?: { code: string };
  cancellation?: { refund_reference?: string; penalty: number };
  history: { status: string; at: string }[];
}
interface Offer {
  id: string;
  fare_rules: { refundable: boolean };
  price: { total: number };
}
interface SimStats {
  calls: Record<string, number>;
  orders_created: number;
}

const api = useLocalRuntime({
  env: {
    POWERTOOLS_LOG_LEVEL: "ERROR",
    RECONCILE_AFTER_S: "1",
    RECONCILE_GRACE_S: "30",
    DRCT_TIMEOUT_MS: "1500",
    DRCT_RETRY_BASE_MS: "50",
  },
});

const adult = (given: string, documentNumber = "P1234567") => ({
  type: "adult",
  given_name: given,
  family_name: "Müller",
  birth_date: "1985-04-12",
  gender: "female",
  document: {
    type: "passport",
    number: documentNumber,
    issuing_country: "DE",
    nationality: "DE",
    expires_on: isoDay(800),
  },
});

const contact = { email: "traveller@example.com", phone: "+4930123456" };

/** Searches a fresh route and answers an offer with the wanted fare rules. */
const findOffer = async (destination: string, refundable?: boolean, key: string = API_KEYS.a): Promise<Offer> => {
  await sleep(1_150);
  const response = await api.search(key, searchBody({ origin: "BER", destination }));
  expect(response.status).toBe(200);
  const offers = response.body.offers as Offer[];
  const offer = offers.find((candidate) => refundable === undefined || candidate.fare_rules.refundable === refundable);
  if (offer === undefined)
    throw new Error(`no ${refundable ? "refundable" : "non-refundable"} offer to ${destination}`);
  return offer;
};

const createOrder = (offerId: string, key = randomUUID(), apiKey: string = API_KEYS.a, passengers = [adult("Anna")]) =>
  api.call<Order>("/public/orders", {
    key: apiKey,
    body: { offer_id: offerId, passengers, contact, external_ref: "agency-ref-1" },
    headers: { "idempotency-key": key },
  });

const getOrder = (id: string, apiKey: string = API_KEYS.a) => api.call<Order>(`/public/orders/${id}`, { key: apiKey });

const until = async (id: string, statuses: string[], timeoutMs = 20_000): Promise<Order> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const order = (await getOrder(id)).body;
    if (statuses.includes(order.status) || Date.now() > deadline) return order;
    await sleep(200);
  }
};

describe("search → price → create → issue → cancel", () => {
  test("an order is booked, ticketed and cancelled with a refund reference", async () => {
    const offer = await findOffer("LIS", true);
    const priced = await api.call<Offer>(`/public/offers/${offer.id}/price`, { method: "PATCH" });
    expect(priced.status).toBe(200);

    const created = await createOrder(offer.id);
    expect(created.status).toBe(201);
    expect(created.body.status).toBe("BOOKED");
    expect(created.body.drct_order_id).toMatch(/^DRCT/);
    expect(created.body.passengers[0]?.document?.number).toBe("*****567");
    expect(created.body.history.map((entry) => entry.status)).toEqual(["PENDING", "BOOKED"]);

    const issue = await api.call<Order>(`/public/orders/${created.body.id}/issue`, {
      body: { payment: { type: "external", reference: "INV-1" } },
      headers: { "idempotency-key": randomUUID() },
    });
    expect(issue.status).toBe(202);
    expect(issue.body.status).toBe("ISSUING");
    const issued = await until(created.body.id, ["ISSUED", "FAILED"]);
    expect(issued.status).toBe("ISSUED");
    expect(issued.tickets).toHaveLength(1);
    expect(issued.tickets?.[0]?.number).toMatch(/^220\d{10}$/);

    const cancelled = await api.call<Order>(`/public/orders/${created.body.id}/cancel`, {
      body: {},
      headers: { "idempotency-key": randomUUID() },
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe("CANCELLED");
    expect(cancelled.body.cancellation?.refund_reference).toMatch(/^RF/);
    expect(cancelled.body.history.map((entry) => entry.status)).toEqual([
      "PENDING",
      "BOOKED",
      "ISSUING",
      "ISSUED",
      "CANCELLED",
    ]);

    await api.runtime.workflowsIdle(10_000);
    const events = api.runtime.events
      .filter((event) => (event.detail as { order_id?: string }).order_id === created.body.id)
      .map((event) => event["detail-type"]);
    expect(events).toEqual(["order.booked", "order.issued", "order.cancelled"]);
  });
});
