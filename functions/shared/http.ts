import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import type { z } from "zod";
import { resolveTenantByApiKeyId } from "../adapters/dynamodb/tenant-directory";
import { API_VERSIONS, type ApiVersion, CURRENT_API_VERSION, isApiVersion, VERSION_HEADER } from "../api/versions";
import { AvfError, toEnvelope, validationError } from "../domain/errors";
import { SupplierError, supplierErrorToAvf } from "../domain/supplier";
import type { Tenant } from "../domain/tenant";
import { config } from "./config";
import { correlationIdOf } from "./correlation";
import { logger } from "./powertools";
import { rateLimitHeaders } from "./wiring";

export interface HttpRequest<TBody> {
  readonly body: TBody;
  readonly headers: Readonly<Record<string, string>>;
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly correlationId: string;
  /** Epoch ms by which the answer must be on its way: supplier retries stop before it. */
  readonly deadlineAt: number;
  readonly lambdaContext: Context;
}

export interface HttpResult {
  readonly status: number;
  readonly body?: unknown;
  /** A body sent as it is (a web page), with its content-type in headers; else `body` goes as JSON. */
  readonly text?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

type ApiHandler = middy.MiddyfiedHandler<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>;

const lowerCaseHeaders = (event: APIGatewayProxyEvent): Record<string, string> => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  return headers;
};

const definedEntries = (record: Record<string, string | undefined> | null): Record<string, string> => {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(record ?? {})) if (value !== undefined) result[name] = value;
  return result;
};

/** Turns zod issues into the `details.issues` of AVF_400_VALIDATION: a path a client can point at, and why. */
export const validationIssues = (error: z.ZodError): { path: string; message: string }[] =>
  error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(body)",
    message: issue.message,
  }));

/** Validates query or path parameters with the same envelope as bodies. */
export const parseQuery = <S extends z.ZodType>(schema: S, query: Readonly<Record<string, string>>): z.output<S> => {
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw validationError(validationIssues(parsed.error));
  return parsed.data;
};

export const parsePath = parseQuery;

const parseBody = <S extends z.ZodType>(event: APIGatewayProxyEvent, headers: Record<string, string>, schema: S) => {
  const raw = event.body ?? "";
  const bytes = event.isBase64Encoded ? Buffer.from(raw, "base64") : Buffer.from(raw, "utf8");
  const limit = config().maxBodyBytes;
  if (bytes.byteLength > limit) {
    throw new AvfError("AVF_413_PAYLOAD_TOO_LARGE", `the body is larger than ${limit} bytes`, {
      details: { limit_bytes: limit },
    });
  }
  const contentType = headers["content-type"];
  if (contentType !== undefined && !/^application\/([a-z.+-]*\+)?json\b/i.test(contentType)) {
    throw new AvfError("AVF_415_UNSUPPORTED_MEDIA_TYPE", "send the body as application/json");
  }
  let json: unknown;
  try {
    // No body at all reads as {}: a request without fields gets the field-by-field issues.
    json = bytes.byteLength === 0 ? {} : JSON.parse(bytes.toString("utf8"));
  } catch {
    throw validationError([{ path: "(body)", message: "is not well-formed JSON" }]);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw validationError(validationIssues(parsed.error));
  return parsed.data as z.output<S>;
};

const errorResult = (error: unknown, correlationId: string): HttpResult => {
  const avfError = toAvfError(error);
  if (avfError.status >= 500) logger.error("request failed", { error });
  else logger.info("request refused", { code: avfError.code, details: avfError.details });
  return {
    status: avfError.status,
    body: toEnvelope(avfError, correlationId),
    headers:
      avfError.retryAfterSeconds === undefined ? undefined : { "retry-after": String(avfError.retryAfterSeconds) },
  };
};

export const toAvfError = (error: unknown): AvfError => {
  if (error instanceof AvfError) return error;
  if (error instanceof SupplierError) return supplierErrorToAvf(error);
  return new AvfError("AVF_500_INTERNAL", "something went wrong on our side; it has been logged");
};

const toResponse = (result: HttpResult, correlationId: string, version: ApiVersion): APIGatewayProxyResult => ({
  statusCode: result.status,
  headers: {
    "content-type": "application/json",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    ...result.headers,
    "x-correlation-id": correlationId,
    [VERSION_HEADER]: version,
  },
  body: result.text ?? (result.body === undefined ? "" : JSON.stringify(result.body)),
});

interface RouteOptions<S extends z.ZodType | undefined, E> {
  readonly body?: S;
  /**
   * The route answers within this long (less than API Gateway's 29 s): work past it is left to
   * workflows and reconciliation, and an idempotent request's in-progress record lapses with it.
   */
  readonly answerWithinMs?: number;
  readonly handle: (request: HttpRequest<BodyOf<S>> & E) => Promise<HttpResult>;
}

type BodyOf<S> = S extends z.ZodType ? z.output<S> : undefined;

/** The version the request asks for; without the header (or with an unknown one), the current one. */
const versionOf = (headers: Readonly<Record<string, string>>): ApiVersion => {
  const asked = headers[VERSION_HEADER];
  return asked !== undefined && isApiVersion(asked) ? asked : CURRENT_API_VERSION;
};

const checkVersion = (headers: Readonly<Record<string, string>>): void => {
  const asked = headers[VERSION_HEADER];
  if (asked === undefined || isApiVersion(asked)) return;
  throw new AvfError(
    "AVF_400_UNSUPPORTED_VERSION",
    `Aviaframe-Version ${asked.slice(0, 40)} is not a version of this API`,
    {
      details: { supported: [...API_VERSIONS] },
    },
  );
};

/** Authenticates first (a caller without a key learns nothing about its body), then validates the body. */
const buildHandler = <S extends z.ZodType | undefined, E>(
  options: RouteOptions<S, E>,
  authenticate: (event: APIGatewayProxyEvent) => Promise<E>,
  responseHeaders?: (identity: E) => Promise<Record<string, string>>,
): ApiHandler =>
  middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) => {
      const headers = lowerCaseHeaders(event);
      const correlationId = correlationIdOf(headers);
      logger.setCorrelationId(correlationId);
      logger.appendKeys({ route: event.resource, method: event.httpMethod });
      const started = performance.now();
      let identity: E | undefined;
      const finish = async (result: HttpResult) => {
        const extra =
          identity === undefined || responseHeaders === undefined ? {} : await safely(responseHeaders, identity);
        logger.info("request handled", { status: result.status, latency_ms: Math.round(performance.now() - started) });
        return toResponse({ ...result, headers: { ...extra, ...result.headers } }, correlationId, versionOf(headers));
      };
      try {
        identity = await authenticate(event);
        checkVersion(headers);
        const body = (options.body === undefined ? undefined : parseBody(event, headers, options.body)) as BodyOf<S>;
        const result = await options.handle({
          ...identity,
          body,
          headers,
          pathParameters: definedEntries(event.pathParameters),
          query: definedEntries(event.queryStringParameters),
          correlationId,
          deadlineAt:
            Date.now() +
            Math.min(context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS, options.answerWithinMs ?? MAX_REQUEST_MS),
          lambdaContext: context,
        });
        return await finish(result);
      } catch (error) {
        return await finish(errorResult(error, correlationId));
      }
    });

/** API Gateway gives up after 29 s; answering before that, even with an error, is better than its 504. */
const MAX_REQUEST_MS = 25_000;

/**
 * Order writes (create, issue, cancel) answer within this: the booking and the ticketing go on
 * in workflows and queues, so a 202 loses nothing, and a client retrying after a crash gets
 * its answer seconds later, not after the Lambda's timeout.
 */
export const ORDER_WRITE_ANSWER_MS = 10_000;
const DEADLINE_MARGIN_MS = 1_500;

/** Decoration must not turn an answer into a failure: without it, the answer still goes out. */
const safely = async <E>(
  compute: (identity: E) => Promise<Record<string, string>>,
  identity: E,
): Promise<Record<string, string>> => {
  try {
    return await compute(identity);
  } catch (error) {
    logger.warn("could not compute response headers", { error });
    return {};
  }
};

/** A route anyone may call (health, OpenAPI). */
export const publicRoute = <S extends z.ZodType | undefined = undefined>(
  options: RouteOptions<S, Record<never, never>>,
): ApiHandler => buildHandler(options, async () => ({}));

/**
 * A route of a tenant: API Gateway has checked the API key; the tenant is resolved from the
 * key's id, never from anything in the request the caller controls.
 */
export const tenantRoute = <S extends z.ZodType | undefined = undefined>(
  options: RouteOptions<S, { readonly tenant: Tenant }>,
): ApiHandler =>
  buildHandler(
    options,
    async (event) => {
      const apiKeyId = event.requestContext?.identity?.apiKeyId ?? undefined;
      const tenant = apiKeyId ? await resolveTenantByApiKeyId(apiKeyId) : undefined;
      if (tenant === undefined || tenant.status !== "active") {
        throw new AvfError("AVF_401_UNAUTHORIZED", "send a valid API key in the x-api-key header");
      }
      logger.appendKeys({ tenant_id: tenant.tenantId });
      return { tenant };
    },
    ({ tenant }) => rateLimitHeaders(tenant),
  );

/**
 * An operators' route (/ops/api): IAM-authorized in AWS, the ops key in the local runtime
 * (lib/local/ops-key.ts) — both checked before the function runs. The operator is whoever
 * signed the request, kept on every log line (redrives are operator actions).
 */
export const opsRoute = <S extends z.ZodType | undefined = undefined>(
  options: RouteOptions<S, { readonly operator: string }>,
): ApiHandler =>
  buildHandler(options, async (event) => {
    const identity = event.requestContext?.identity;
    const operator = identity?.userArn ?? identity?.caller ?? "operator";
    logger.appendKeys({ operator });
    return { operator };
  });
