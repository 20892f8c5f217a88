import { describe, expect, test } from "vitest";
import { createAviaframeClient } from "../../client";
import { staleClientFiles } from "../../tools/client-gen/generate";

describe("client/ (typed client generated from /openapi.json)", () => {
  test("is up to date with the document the gateway serves", async () => {
    const stale = await staleClientFiles();
    expect(stale, "run `npm run client:generate` and commit client/").toEqual([]);
  });

  test("minimal requests compile and go out with the key, the version and the body", async () => {
    const sent: Request[] = [];
    const avf = createAviaframeClient({
      baseUrl: "http://gateway.test",
      apiKey: "key-1",
      version: "2026-11-30",
      fetch: async (input) => {
        sent.push(input as Request);
        return new Response(JSON.stringify({ offers: [] }), { headers: { "content-type": "application/json" } });
      },
    });
    // Only the required fields: defaulted ones (cabin, children, infants, limit) stay optional.
    const search = await avf.POST("/public/offers/search", {
      body: { origin: "LHR", destination: "JFK", departure_date: "2027-03-14", passengers: { adults: 1 } },
    });
    expect(search.data?.offers).toEqual([]);
    await avf.POST("/public/orders", {
      params: { header: { "Idempotency-Key": "k-1" } },
      body: {
        offer_id: "off_0123456789",
        passengers: [
          { type: "adult", given_name: "Ada", family_name: "Lovelace", birth_date: "1985-12-10", gender: "female" },
        ],
        contact: { email: "ada@example.com", phone: "+442071234567" },
      },
    });
    await avf.GET("/public/orders", {});
    await avf.POST("/public/orders/{orderId}/cancel", {
      params: { path: { orderId: "ord_0123456789" }, header: { "Idempotency-Key": "k-2" } },
      body: {},
    });
    expect(sent.map((request) => `${request.method} ${new URL(request.url).pathname}`)).toEqual([
      "POST /public/offers/search",
      "POST /public/orders",
      "GET /public/orders",
      "POST /public/orders/ord_0123456789/cancel",
    ]);
    expect(sent[0]?.headers.get("x-api-key")).toBe("key-1");
    expect(sent[0]?.headers.get("aviaframe-version")).toBe("2026-11-30");
    expect(sent[1]?.headers.get("idempotency-key")).toBe("k-1");
    expect(await sent[0]?.json()).toMatchObject({ passengers: { adults: 1 } });
  });
});
