import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { CURRENT_API_VERSION, VERSION_HEADER } from "../../functions/api/versions";
import { correlationIdOf } from "../../functions/shared/correlation";
import { ALL_ROUTES, type RouteDescription } from "../resources";
import { lambdaContext } from "./lambda-context";

export type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface ApiGatewayOptions {
  readonly port: number;
  /** API Gateway's keys: the id of a key it would let through (enabled, on a usage plan). */
  readonly apiKeys: { idOf(value: string): string | undefined };
  /** What operators send as `x-ops-key` on /ops/api routes (IAM's part locally). */
  readonly opsKey: string;
  /** A request refused here, before any function ran (API Gateway's access log in AWS). */
  readonly onRefused?: (refusal: GatewayRefusal) => void;
  readonly loadHandler: (route: RouteDescription) => Promise<ApiHandler>;
  /** API Gateway's own payload limit (REST: 10 MB); the handlers enforce a smaller one. */
  readonly maxPayloadBytes?: number;
  readonly onError: (error: unknown) => void;
}

/** A refusal's line in API Gateway's access log (lib/cloud/stateless-stack.ts ACCESS_LOG_FORMAT's fields). */
export interface GatewayRefusal {
  readonly requestId: string;
  readonly ip: string;
  readonly userAgent: string;
  readonly httpMethod: string;
  readonly resourcePath: string;
  readonly status: string;
  readonly apiKeyId: string;
  /** As API Gateway names it: INVALID_API_KEY, ACCESS_DENIED, MISSING_AUTHENTICATION_TOKEN, INVALID_SIGNATURE. */
  readonly errorResponseType: string;
}

/** The local operator, as IAM authorization names a caller in requestContext.identity. */
export const LOCAL_OPERATOR_ARN = "arn:aws:iam::000000000000:user/local-operator";

/** Constant-time comparison of what was sent with the ops key (hashes: equal lengths). */
const sameSecret = (sent: string | undefined, expected: string): boolean =>
  sent !== undefined &&
  timingSafeEqual(createHash("sha256").update(sent).digest(), createHash("sha256").update(expected).digest());

interface CompiledRoute {
  readonly route: RouteDescription;
  readonly pattern: RegExp;
  readonly params: string[];
}

const compile = (route: RouteDescription): CompiledRoute => {
  const params: string[] = [];
  const source = route.path
    .split("/")
    .map((part) => {
      const param = /^\{(\w+)\}$/.exec(part);
      if (param?.[1] === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      params.push(param[1]);
      return "([^/]+)";
    })
    .join("/");
  return { route, pattern: new RegExp(`^${source}$`), params };
};

const envelope = (status: number, code: string, message: string, correlationId: string) => ({
  statusCode: status,
  headers: {
    "content-type": "application/json",
    "x-correlation-id": correlationId,
    [VERSION_HEADER]: CURRENT_API_VERSION,
  },
  body: JSON.stringify({ error: { code, message, retryable: false, correlation_id: correlationId } }),
});

const singleValues = (raw: IncomingMessage["headers"]): Record<string, string> => {
  const entries = Object.entries(raw).filter((entry): entry is [string, string | string[]] => entry[1] !== undefined);
  return Object.fromEntries(entries.map(([name, value]) => [name, Array.isArray(value) ? value.join(",") : value]));
};

/**
 * The API Gateway stand-in: what REST API Gateway does in front of our Lambdas, and no more.
 * It matches the resources of lib/resources.ts, checks the API key (API Gateway answers 403
 * there; we answer the contract's 401 envelope) or, on operator routes, the ops key (IAM's
 * part), caps the payload, builds the v1 proxy event with the key's id or the operator in
 * requestContext.identity and the socket's address as sourceIp, and calls the same handler module.
 */
export const startApiGateway = async (options: ApiGatewayOptions): Promise<{ url: string; server: Server }> => {
  const routes = ALL_ROUTES.map(compile);
  const maxPayload = options.maxPayloadBytes ?? 10 * 1024 * 1024;

  const respond = (res: ServerResponse, result: APIGatewayProxyResult) => {
    const headers: Record<string, string | number | string[]> = {};
    for (const [name, value] of Object.entries(result.headers ?? {}))
      headers[name] = typeof value === "boolean" ? String(value) : value;
    for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) headers[name] = values.map(String);
    res.writeHead(result.statusCode, headers);
    res.end(result.isBase64Encoded ? Buffer.from(result.body, "base64") : result.body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const headers = singleValues(req.headers);
    const correlationId = correlationIdOf(headers);
    const url = new URL(req.url ?? "/", "http://localhost");
    const method = req.method ?? "GET";
    const candidates = routes.filter((compiled) => compiled.pattern.test(url.pathname));
    const match = candidates.find((compiled) => compiled.route.method === method);
    if (match === undefined) {
      respond(
        res,
        candidates.length > 0
          ? envelope(405, "AVF_405_METHOD_NOT_ALLOWED", `${method} is not allowed here`, correlationId)
          : envelope(404, "AVF_404_NOT_FOUND", `no route ${method} ${url.pathname}`, correlationId),
      );
      req.resume();
      return;
    }
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > maxPayload) {
      respond(res, envelope(413, "AVF_413_PAYLOAD_TOO_LARGE", "the request is too large", correlationId));
      req.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > maxPayload) {
        respond(res, envelope(413, "AVF_413_PAYLOAD_TOO_LARGE", "the request is too large", correlationId));
        req.destroy();
        return;
      }
      chunks.push(chunk as Buffer);
    }
    // What API Gateway checks before a function runs: the API key (agency routes) or the
    // caller's IAM signature (operator routes; locally the ops key). Never the other one.
    const sourceIp = req.socket.remoteAddress ?? "127.0.0.1";
    const refuse = (errorResponseType: string, message: string) => {
      options.onRefused?.({
        requestId: correlationId,
        ip: sourceIp,
        userAgent: headers["user-agent"] ?? "-",
        httpMethod: method,
        resourcePath: match.route.path,
        status: "401",
        apiKeyId: "-",
        errorResponseType,
      });
      respond(res, envelope(401, "AVF_401_UNAUTHORIZED", message, correlationId));
    };
    const operator = match.route.auth === "operator";
    if (operator && !sameSecret(headers["x-ops-key"], options.opsKey)) {
      refuse(
        headers["x-ops-key"] === undefined ? "MISSING_AUTHENTICATION_TOKEN" : "INVALID_SIGNATURE",
        "operators' routes take the ops key in the x-ops-key header",
      );
      return;
    }
    const apiKey = operator ? undefined : headers["x-api-key"];
    const apiKeyId = apiKey === undefined ? undefined : options.apiKeys.idOf(apiKey);
    if (match.route.auth === "api-key" && apiKeyId === undefined) {
      refuse(
        apiKey === undefined ? "ACCESS_DENIED" : "INVALID_API_KEY",
        "send a valid API key in the x-api-key header",
      );
      return;
    }
    let pathParameters: Record<string, string> = {};
    const values = match.pattern.exec(url.pathname) ?? [];
    try {
      pathParameters = Object.fromEntries(
        match.params.map((name, index) => [name, decodeURIComponent(values[index + 1] ?? "")]),
      );
    } catch {
      // Bad percent-encoding (`%ZZ`): the caller's mistake, a 400 as API Gateway answers it.
      respond(res, envelope(400, "AVF_400_VALIDATION", "the path is not valid percent-encoding", correlationId));
      return;
    }
    // Built from entries, never by assignment: a parameter named `__proto__` is a plain key, as in API Gateway.
    const multiQueryMap = new Map<string, string[]>();
    for (const [name, value] of url.searchParams) multiQueryMap.set(name, [...(multiQueryMap.get(name) ?? []), value]);
    const multiQuery: Record<string, string[]> = Object.fromEntries(multiQueryMap);
    const query: Record<string, string> = Object.fromEntries(
      [...multiQueryMap].map(([name, values]) => [name, values[values.length - 1] ?? ""]),
    );
    const body = Buffer.concat(chunks);
    const event: APIGatewayProxyEvent = {
      resource: match.route.path,
      path: url.pathname,
      httpMethod: method,
      headers,
      multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
      queryStringParameters: Object.keys(query).length > 0 ? query : null,
      multiValueQueryStringParameters: Object.keys(multiQuery).length > 0 ? multiQuery : null,
      pathParameters: match.params.length > 0 ? pathParameters : null,
      stageVariables: null,
      body: chunks.length > 0 ? body.toString("utf8") : null,
      isBase64Encoded: false,
      requestContext: {
        accountId: "000000000000",
        apiId: "local",
        authorizer: null,
        protocol: "HTTP/1.1",
        httpMethod: method,
        path: url.pathname,
        stage: "local",
        requestId: randomUUID(),
        requestTimeEpoch: Date.now(),
        resourceId: match.route.operationId,
        resourcePath: match.route.path,
        identity: {
          accessKey: null,
          accountId: null,
          apiKey: apiKey ?? null,
          apiKeyId: apiKeyId ?? null,
          caller: operator ? "local-operator" : null,
          clientCert: null,
          cognitoAuthenticationProvider: null,
          cognitoAuthenticationType: null,
          cognitoIdentityId: null,
          cognitoIdentityPoolId: null,
          principalOrgId: null,
          // The socket's address, as API Gateway's: X-Forwarded-For is the caller's to write.
          sourceIp,
          user: null,
          userAgent: headers["user-agent"] ?? null,
          userArn: operator ? LOCAL_OPERATOR_ARN : null,
        },
      },
    };
    // Keep the proxy's correlation id when the caller sent none, as API Gateway's request id would be.
    if (headers["x-correlation-id"] === undefined) event.headers["x-correlation-id"] = correlationId;
    const handler = await options.loadHandler(match.route);
    respond(res, await handler(event, lambdaContext(match.route.operationId)));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.onError(error);
      if (!res.headersSent) {
        respond(res, envelope(502, "AVF_500_INTERNAL", "the function failed", randomUUID()));
      } else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server };
};
