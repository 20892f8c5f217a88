/**
 * A typed client for the Aviaframe gateway: openapi-fetch over the types openapi-typescript
 * generated from /openapi.json (schema.ts; `npm run client:generate` refreshes it). Paths,
 * parameters, bodies and answers are checked by the compiler:
 *
 *   const avf = createAviaframeClient({ baseUrl: "http://127.0.0.1:3000", apiKey: "local-agency-a-key" });
 *   const { data, error } = await avf.POST("/public/offers/search", {
 *     body: { origin: "LHR", destination: "JFK", departure_date: "2027-03-14", passengers: { adults: 1 } },
 *   });
 */
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./schema";

export type { components, paths, webhooks } from "./schema";

export type Schemas = components["schemas"];
export type Offer = Schemas["Offer"];
export type Order = Schemas["Order"];
export type ErrorEnvelope = Schemas["Error"];
export type AviaframeClient = Client<paths>;

export interface AviaframeClientOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  /** The API version the calls are written against (Aviaframe-Version); default: the server's current one. */
  readonly version?: string;
  readonly fetch?: typeof globalThis.fetch;
}

export const createAviaframeClient = (options: AviaframeClientOptions): AviaframeClient =>
  createClient<paths>({
    baseUrl: options.baseUrl,
    headers: {
      "x-api-key": options.apiKey,
      ...(options.version === undefined ? {} : { "aviaframe-version": options.version }),
    },
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
