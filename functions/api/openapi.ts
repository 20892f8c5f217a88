import { z } from "zod";
import { ROUTES, type RouteDescription } from "../../lib/resources";
import {
  CancelOrderRequest,
  CreateOrderRequest,
  DeliveryListResponse,
  DeliverySchema,
  ErrorEnvelopeSchema,
  HealthResponse,
  IssueOrderRequest,
  ListOrdersQuery,
  OfferSchema,
  OrderListResponse,
  OrderSchema,
  SearchRequest,
  SearchResponse,
  UsageQuery,
  UsageResponse,
} from "./schemas";

type OperationId = (typeof ROUTES)[number]["operationId"];

interface OperationContract {
  readonly request?: z.ZodType;
  /** Takes a required Idempotency-Key header. */
  readonly idempotent?: boolean;
  readonly query?: z.ZodObject;
  readonly responses: Readonly<Record<string, { readonly description: string; readonly schema?: z.ZodType }>>;
}

const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [
      String(status),
      { description: ERROR_DESCRIPTIONS[status] ?? "error", schema: ErrorEnvelopeSchema },
    ]),
  );

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "invalid request (AVF_400_*), with details.issues",
  401: "missing or unknown API key",
  413: "body too large",
  415: "body is not JSON",
  429: "rate limited; see Retry-After",
  500: "internal error",
  502: "the supplier failed",
  503: "the supplier is unavailable (circuit open)",
  504: "the supplier timed out",
};

/** What each route accepts and answers; the route list itself comes from lib/resources.ts. */
const CONTRACTS: Record<OperationId, OperationContract> = {
  health: {
    responses: { "200": { description: "ready", schema: HealthResponse }, "503": { description: "not ready" } },
  },
  openapi: { responses: { "200": { description: "this document" } } },
  searchOffers: {
    request: SearchRequest,
    responses: {
      "200": { description: "offers, priced with the tenant's markup", schema: SearchResponse },
      ...errors(400, 401, 413, 415, 429, 500, 502, 503, 504),
    },
  },
  priceOffer: {
    responses: {
      "200": { description: "the offer at its confirmed price, with priced_at", schema: OfferSchema },
      "404": { description: "unknown or expired offer (AVF_404_OFFER_NOT_FOUND)", schema: ErrorEnvelopeSchema },
      "409": {
        description:
          "AVF_409_PRICE_CHANGED: details.old_total, details.new_total, details.changes (old and new of every component that moved); the offer now carries the new price",
        schema: ErrorEnvelopeSchema,
      },
      ...errors(401, 429, 500, 502, 503, 504),
    },
  },
  createOrder: {
    request: CreateOrderRequest,
    idempotent: true,
    responses: {
      "201": { description: "booked (or definitively refused: status FAILED with failure)", schema: OrderSchema },
      "202": { description: "accepted; DRCT's answer is awaited (PENDING or PENDING_RECONCILE)", schema: OrderSchema },
      "404": { description: "AVF_404_OFFER_NOT_FOUND", schema: ErrorEnvelopeSchema },
      "409": {
        description: "AVF_409_PRICE_CHANGED, AVF_409_IDEMPOTENCY_MISMATCH or AVF_409_REQUEST_IN_PROGRESS (Retry-After)",
        schema: ErrorEnvelopeSchema,
      },
      ...errors(400, 401, 413, 415, 429, 500, 502, 503, 504),
    },
  },
  listOrders: {
    query: ListOrdersQuery,
    responses: { "200": { description: "newest first", schema: OrderListResponse }, ...errors(400, 401, 500) },
  },
  getOrder: {
    responses: {
      "200": { description: "the order", schema: OrderSchema },
      "404": { description: "AVF_404_ORDER_NOT_FOUND (also for another tenant's order)", schema: ErrorEnvelopeSchema },
      ...errors(400, 401, 500),
    },
  },
  issueOrder: {
    request: IssueOrderRequest,
    idempotent: true,
    responses: {
      "202": { description: "ISSUING: tickets follow (GET, callback)", schema: OrderSchema },
      "404": { description: "AVF_404_ORDER_NOT_FOUND", schema: ErrorEnvelopeSchema },
      "409": { description: "AVF_409_INVALID_STATE (not BOOKED), idempotency conflicts", schema: ErrorEnvelopeSchema },
      ...errors(400, 401, 500),
    },
  },
  cancelOrder: {
    request: CancelOrderRequest,
    idempotent: true,
    responses: {
      "200": { description: "CANCELLED, with refund reference and penalty", schema: OrderSchema },
      "404": { description: "AVF_404_ORDER_NOT_FOUND", schema: ErrorEnvelopeSchema },
      "409": {
        description: "AVF_409_NOT_CANCELLABLE (fare rules), AVF_409_INVALID_STATE, idempotency conflicts",
        schema: ErrorEnvelopeSchema,
      },
      ...errors(400, 401, 500, 502, 503, 504),
    },
  },
  listOrderCallbacks: {
    responses: {
      "200": {
        description: "every delivery of the order's callbacks, with every attempt",
        schema: DeliveryListResponse,
      },
      "404": { description: "AVF_404_ORDER_NOT_FOUND", schema: ErrorEnvelopeSchema },
      ...errors(400, 401, 500),
    },
  },
  replayCallback: {
    responses: {
      "202": {
        description: "queued again, same webhook-id, a new round of the retry schedule",
        schema: DeliverySchema,
      },
      "404": { description: "AVF_404_NOT_FOUND: unknown delivery or another tenant's", schema: ErrorEnvelopeSchema },
      "409": { description: "AVF_409_INVALID_STATE: the delivery is still being sent", schema: ErrorEnvelopeSchema },
      ...errors(400, 401, 500),
    },
  },
  getUsage: {
    query: UsageQuery,
    responses: {
      "200": { description: "usage per UTC day and in total (default: the last 30 days)", schema: UsageResponse },
      ...errors(400, 401, 500),
    },
  },
};

/** Named schemas (zod `.meta({id})`), collected for components.schemas while the paths are built. */
type Components = Record<string, unknown>;

/**
 * A schema for the document: zod emits named sub-schemas under its own `$defs`, which a
 * `#/$defs/…` reference would look for at the document root; they move to
 * components.schemas (request shapes suffixed `Input`, where defaults make fields optional).
 */
const jsonSchema = (schema: z.ZodType, io: "input" | "output", components: Components) => {
  const { $defs, ...generated } = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as {
    $defs?: Record<string, unknown>;
  } & Record<string, unknown>;
  const rename = (id: string) => (io === "input" ? `${id}Input` : id);
  const relink = (value: unknown): unknown =>
    JSON.parse(
      JSON.stringify(value).replace(
        /"#\/\$defs\/([^"]+)"/g,
        (_match, id: string) => `"#/components/schemas/${rename(id)}"`,
      ),
    );
  for (const [id, definition] of Object.entries($defs ?? {})) components[rename(id)] = relink(definition);
  return relink(generated);
};

const queryParameters = (query: z.ZodObject | undefined, components: Components) =>
  Object.entries(query?.shape ?? {}).map(([name, schema]) => ({
    name,
    in: "query",
    required: !(schema as z.ZodType).safeParse(undefined).success,
    schema: jsonSchema(schema as z.ZodType, "input", components),
  }));

const operation = (route: RouteDescription, components: Components) => {
  const contract = CONTRACTS[route.operationId as OperationId];
  const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => ({
    name: match[1],
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.auth === "api-key" ? { security: [{ apiKey: [] }] } : { security: [] }),
    parameters: [
      ...pathParams,
      ...queryParameters(contract.query, components),
      ...(contract.idempotent
        ? [
            {
              name: "Idempotency-Key",
              in: "header",
              required: true,
              schema: { type: "string", minLength: 1, maxLength: 255 },
              description: "same key + same body → the same answer for 7 days (Idempotent-Replayed: true)",
            },
          ]
        : []),
      { name: "x-correlation-id", in: "header", required: false, schema: { type: "string", maxLength: 128 } },
    ],
    ...(contract.request === undefined
      ? {}
      : {
          requestBody: {
            required: true,
            content: { "application/json": { schema: jsonSchema(contract.request, "input", components) } },
          },
        }),
    responses: Object.fromEntries(
      Object.entries(contract.responses).map(([status, response]) => [
        status,
        {
          description: response.description,
          headers: { "x-correlation-id": { schema: { type: "string" } } },
          ...(response.schema === undefined
            ? {}
            : { content: { "application/json": { schema: jsonSchema(response.schema, "output", components) } } }),
        },
      ]),
    ),
  };
};

export const buildOpenApiDocument = () => {
  const components: Components = {};
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = operation(route, components);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Aviaframe gateway",
      version: "1.0.0",
      description:
        "Search, price, book and ticket DRCT flights. Money is in integer minor units of the currency. Errors use one envelope: {error:{code,message,retryable,details?,correlation_id}}.",
    },
    components: {
      schemas: components,
      securitySchemes: { apiKey: { type: "apiKey", in: "header", name: "x-api-key" } },
    },
    paths,
  };
};
