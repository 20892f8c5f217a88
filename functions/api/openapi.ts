/**
 * /openapi.json, assembled from the route list (lib/resources.ts), what each operation does
 * (operations.ts) and the zod schemas that validate requests (schemas.ts).
 */
import * as z from "zod";
import { ROUTES, type RouteDescription } from "../../lib/resources";
import type { ErrorCode } from "../domain/errors";
import {
  ERROR_CASES,
  errorResponses,
  HEADERS,
  type HeaderName,
  PARAMETERS,
  responseHeaders,
  SERVERS,
  TAGS,
} from "./openapi-components";
import { OPERATIONS, type OperationDoc, type OperationId, type SuccessResponse } from "./operations";
import { ErrorEnvelopeSchema } from "./schemas";
import { CURRENT_API_VERSION } from "./versions";
import { webhooksSection } from "./webhooks";

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
  const { id, ...root } = relink(generated) as Record<string, unknown>;
  // A named root schema becomes a component and is referenced, so every operation shares it.
  if (typeof id !== "string") return root;
  components[rename(id)] = root;
  return { $ref: `#/components/schemas/${rename(id)}` };
};

const parameters = (schema: z.ZodObject | undefined, place: "query" | "path", components: Components) =>
  Object.entries(schema?.shape ?? {}).map(([name, field]) => {
    const { description, ...fieldSchema } = jsonSchema(field as z.ZodType, "input", components) as {
      description?: string;
    } & Record<string, unknown>;
    return {
      name,
      in: place,
      required: place === "path" || !(field as z.ZodType).safeParse(undefined).success,
      description: description ?? PATH_DESCRIPTIONS[name] ?? name,
      schema: fieldSchema,
    };
  });

const PATH_DESCRIPTIONS: Record<string, string> = {
  offerId: "The offer's id from a search (`off_…`).",
  orderId: "The order's id (`ord_…`).",
  deliveryId: "The delivery's id (`dlv_…`) from GET /public/orders/{orderId}/callbacks.",
};

/** The codes every operation of this kind can answer, besides its own. */
const commonErrors = (route: RouteDescription, doc: OperationDoc): ErrorCode[] => {
  const validates = doc.request !== undefined || doc.query !== undefined || doc.path !== undefined;
  return [
    "AVF_400_UNSUPPORTED_VERSION",
    ...(validates ? (["AVF_400_VALIDATION"] as const) : []),
    ...(route.auth === "api-key"
      ? (["AVF_401_UNAUTHORIZED", "AVF_403_IP_NOT_ALLOWED", "AVF_403_SCOPE_REQUIRED"] as const)
      : []),
    ...(doc.request === undefined ? [] : (["AVF_413_PAYLOAD_TOO_LARGE", "AVF_415_UNSUPPORTED_MEDIA_TYPE"] as const)),
    "AVF_500_INTERNAL",
  ];
};

const sortedCodes = (codes: readonly ErrorCode[]) =>
  [...new Set(codes)].filter((code) => ERROR_CASES[code] !== undefined).sort();

const successResponse = (response: SuccessResponse, common: readonly HeaderName[], components: Components) => ({
  description: response.description,
  headers: responseHeaders([...common, ...(response.headers ?? [])]),
  ...(response.schema === undefined && response.contentType === undefined
    ? {}
    : {
        content: {
          [response.contentType ?? "application/json"]: {
            schema:
              response.schema !== undefined
                ? jsonSchema(response.schema, "output", components)
                : response.contentType === "text/html"
                  ? { type: "string" }
                  : { type: "object" },
            ...(response.examples === undefined ? {} : { examples: response.examples }),
          },
        },
      }),
});

const operation = (route: RouteDescription, components: Components) => {
  const doc = OPERATIONS[route.operationId as OperationId];
  const common: HeaderName[] = [
    "CorrelationId",
    "Version",
    ...(route.auth === "api-key"
      ? (["RateLimitLimit", "RateLimitRemaining", "RateLimitReset", "RateLimitPolicy"] as const)
      : []),
  ];
  const errors = errorResponses(sortedCodes([...commonErrors(route, doc), ...doc.errors]), common);
  // No tenant is known yet when the key is refused, so no ratelimit-* there.
  const unauthorized = errors["401"] as { headers: Record<string, unknown> } | undefined;
  if (unauthorized !== undefined) unauthorized.headers = responseHeaders(["CorrelationId", "Version"]);
  return {
    operationId: route.operationId,
    tags: [doc.tag],
    summary: route.summary,
    description:
      route.auth === "api-key"
        ? `${doc.description}\n\nNeeds an API key with the \`${route.scope}\` scope.`
        : doc.description,
    // OpenAPI 3.1: for an apiKey scheme, the list names the roles the operation requires.
    security: route.auth === "api-key" ? [{ apiKey: [route.scope] }] : [],
    parameters: [
      ...parameters(doc.path, "path", components),
      ...parameters(doc.query, "query", components),
      ...(route.idempotent === true ? [PARAMETERS.IdempotencyKey] : []),
      PARAMETERS.Version,
      PARAMETERS.CorrelationId,
    ],
    ...(doc.request === undefined
      ? {}
      : {
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: jsonSchema(doc.request.schema, "input", components),
                examples: doc.request.examples,
              },
            },
          },
        }),
    responses: {
      ...Object.fromEntries(
        Object.entries(doc.responses).map(([status, response]) => [
          status,
          successResponse(response, common, components),
        ]),
      ),
      ...errors,
    },
  };
};

export const buildOpenApiDocument = () => {
  const components: Components = {};
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES as readonly RouteDescription[]) {
    if (route.auth === "operator") continue;
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = operation(route, components);
  }
  jsonSchema(ErrorEnvelopeSchema, "output", components);
  const webhooks = webhooksSection((schema) => jsonSchema(schema, "output", components));
  return {
    openapi: "3.1.0",
    info: {
      title: "Aviaframe gateway",
      version: CURRENT_API_VERSION,
      summary: "Search, price, book and ticket DRCT flights through one multi-tenant API.",
      description: INTRODUCTION,
      license: { name: "Proprietary: Aviaframe terms of service", url: "https://aviaframe.example/terms" },
      contact: { name: "Aviaframe integration support", email: "integrations@aviaframe.example" },
    },
    servers: SERVERS,
    tags: TAGS,
    security: [{ apiKey: [] }],
    paths,
    webhooks,
    components: {
      schemas: components,
      headers: HEADERS,
      securitySchemes: {
        apiKey: {
          type: "apiKey",
          in: "header",
          name: "x-api-key",
          description: "Your tenant's API key. Locally (`npm start`): `local-agency-a-key` or `local-agency-b-key`.",
        },
      },
    },
  };
};

const INTRODUCTION = [
  "Search DRCT's flights, confirm a price, book, issue tickets and cancel, with order events sent to your endpoint as signed callbacks.",
  "",
  "**A booking in five calls**: `POST /public/offers/search` → `PATCH /public/offers/{offerId}/price` → `POST /public/orders` (with an `Idempotency-Key`) → `POST /public/orders/{orderId}/issue` → `GET /public/orders/{orderId}` (or wait for the `order.issued` callback).",
  "",
  "**Money** is an integer in minor units of `currency` (`42848` EUR = 428.48 EUR), and `total` = `base + taxes + provider_fees + aviaframe_markup + tenant_markup`.",
  "",
  "**Errors** use one envelope, `{error:{code, message, retryable, details?, correlation_id}}`; codes are stable (`AVF_<status>_<NAME>`), `retryable` says whether the same request may succeed later (after `Retry-After` when present).",
  "",
  "**Versions** are dated: send `Aviaframe-Version` to pin one; every response names the version it was answered in. Changes are listed in CHANGELOG.md.",
].join("\n");
