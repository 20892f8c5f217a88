import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { createAviaframeClient, type Order } from "../../../client";
import { API_KEYS, type Harness, isoDay, sleep } from "../harness";

export const typedClientTests = (api: Harness): void => {
  describe("the generated client against the local gateway", () => {
    test("searches, prices, books and issues an order, every call typed", async () => {
      const avf = createAviaframeClient({ baseUrl: api.runtime.apiUrl, apiKey: API_KEYS.a });
      const search = { origin: "LHR", destination: "OPO", departure_date: isoDay(40), passengers: { adults: 1 } };
      // Through the harness, which waits out DRCT's one-search-per-second pacing; then the client.
      const offer = await api.offerWith(API_KEYS.a, { refundable: true }, search);
      const cached = await avf.POST("/public/offers/search", { body: search });
      expect(cached.response.status).toBe(200);
      expect(cached.data?.offers.map((candidate) => candidate.id)).toContain(offer.id);

      const priced = await avf.PATCH("/public/offers/{offerId}/price", { params: { path: { offerId: offer.id } } });
      expect(priced.data?.priced_at).toBeDefined();

      const created = await avf.POST("/public/orders", {
        params: { header: { "Idempotency-Key": randomUUID() } },
        body: {
          offer_id: offer.id,
          passengers: [
            { type: "adult", given_name: "Grace", family_name: "Hopper", birth_date: "1976-12-09", gender: "female" },
          ],
          contact: { email: "grace@example.com", phone: "+12025550143" },
        },
      });
      expect(created.error).toBeUndefined();
      expect(created.response.headers.get("location")).toBe(`/public/orders/${created.data?.id}`);
      const orderId = created.data?.id ?? "";
      expect(created.data?.status).toBe("BOOKED");

      const issuing = await avf.POST("/public/orders/{orderId}/issue", {
        params: { path: { orderId }, header: { "Idempotency-Key": randomUUID() } },
        body: { payment: { type: "external", reference: "INV-CLIENT-1" } },
      });
      expect(issuing.response.status).toBe(202);

      let order: Order | undefined = issuing.data;
      for (const deadline = Date.now() + 20_000; order?.status === "ISSUING" && Date.now() < deadline; ) {
        await sleep(200);
        order = (await avf.GET("/public/orders/{orderId}", { params: { path: { orderId } } })).data;
      }
      expect(order?.status).toBe("ISSUED");
      expect(order?.tickets).toHaveLength(1);
    });

    test("errors come back typed as the envelope", async () => {
      const avf = createAviaframeClient({ baseUrl: api.runtime.apiUrl, apiKey: API_KEYS.a });
      const missing = await avf.GET("/public/orders/{orderId}", {
        params: { path: { orderId: "ord_doesnotexist00" } },
      });
      expect(missing.response.status).toBe(404);
      expect(missing.error?.error.code).toBe("AVF_404_ORDER_NOT_FOUND");
    });
  });
};
