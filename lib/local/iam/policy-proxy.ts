import { randomUUID } from "node:crypto";
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  request,
  type Server,
  type ServerResponse,
} from "node:http";
import { Readable } from "node:stream";
import type { RequestContext, RolePolicy } from "../../template/iam";
import { serveOnLoopback } from "../loopback";

/**
 * IAM in front of a local stand-in (dynalite, fauxqs, the Step Functions and EventBridge
 * stand-ins): every call is signed with the calling function's own access key id (its name),
 * and is forwarded only if that function's role — the statements the CDK app synthesizes —
 * allows the action on the resource; otherwise it is refused as AWS refuses it (400,
 * AccessDeniedException naming the action and the resource). The handlers know nothing of it.
 */
export type ProxiedService = "dynamodb" | "sqs" | "states" | "events" | "apigateway";

export interface Denial {
  readonly caller: string;
  readonly action: string;
  readonly resource: string;
}

export interface PolicyProxyOptions {
  readonly service: ProxiedService;
  /**
   * The stand-in: its endpoint (e.g. http://127.0.0.1:4567), or, when it runs in this process,
   * its HTTP server's request listener, which then answers the caller itself (no second hop).
   */
  readonly upstream: string | RequestListener;
  readonly region: string;
  readonly account: string;
  /** The caller's policy by access key id; `unrestricted` for the runtime itself (the AWS services' part). */
  readonly policyOf: (accessKeyId: string) => RolePolicy | "unrestricted" | undefined;
  readonly onDenied?: (denial: Denial) => void;
}

export interface PolicyProxy {
  readonly endpoint: string;
  close(): Promise<void>;
}

const CREDENTIAL = /Credential=([^/,\s]+)\//;

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The resources a call acts on, as IAM names them. */
export const resourcesOf = (
  service: ProxiedService,
  operation: string,
  body: Record<string, unknown>,
  region: string,
  account: string,
): string[] => {
  const arn = (resource: string) => `arn:aws:${service}:${region}:${account}:${resource}`;
  const text = (key: string) => (typeof body[key] === "string" ? (body[key] as string) : undefined);
  switch (service) {
    case "dynamodb": {
      const table = text("TableName");
      if (table !== undefined) {
        const index = text("IndexName");
        return [arn(`table/${table}${index === undefined ? "" : `/index/${index}`}`)];
      }
      const items = body.RequestItems;
      return isRecord(items) ? Object.keys(items).map((name) => arn(`table/${name}`)) : ["*"];
    }
    case "sqs": {
      const url = text("QueueUrl");
      // A message move task (DLQ redrive) acts on its source queue, named by ARN.
      const source = text("SourceArn")?.split(":").pop();
      const name = url === undefined ? (source ?? text("QueueName")) : new URL(url).pathname.split("/").pop();
      return name === undefined ? ["*"] : [arn(name)];
    }
    case "states":
      return [text("stateMachineArn") ?? text("executionArn") ?? "*"];
    case "apigateway":
      // A REST control plane: the resource is the request's path (`operation` here).
      return [`arn:aws:apigateway:${region}::${operation}`];
    case "events": {
      const entries = Array.isArray(body.Entries) ? body.Entries : [];
      const buses = new Set(
        entries.map((entry) =>
          isRecord(entry) && typeof entry.EventBusName === "string" ? entry.EventBusName : "default",
        ),
      );
      return operation === "PutEvents" ? [...buses].map((bus) => arn(`event-bus/${bus}`)) : ["*"];
    }
  }
};

/** The condition keys of a call, one context per thing IAM authorizes apart (each PutEvents entry). */
export const contextsOf = (
  service: ProxiedService,
  operation: string,
  body: Record<string, unknown>,
): RequestContext[] => {
  if (service !== "events" || operation !== "PutEvents" || !Array.isArray(body.Entries)) return [{}];
  return body.Entries.map(
    (entry): RequestContext =>
      isRecord(entry) && typeof entry.Source === "string" ? { "events:source": entry.Source } : {},
  );
};

const CONTENT_TYPE: Record<ProxiedService, string> = {
  dynamodb: "application/x-amz-json-1.0",
  sqs: "application/x-amz-json-1.0",
  states: "application/x-amz-json-1.0",
  events: "application/x-amz-json-1.1",
  apigateway: "application/json",
};

/** Hands an allowed call, its body already read (to check it), to the stand-in; the answer goes to `res`. */
type Deliver = (req: IncomingMessage, body: Buffer, res: ServerResponse) => void;

/** To a stand-in on its own port: forwarded over HTTP, its answer piped back. */
const overHttp = (service: ProxiedService, endpoint: string): Deliver => {
  const upstream = new URL(endpoint);
  return (req, body, res) => {
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", (error) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": CONTENT_TYPE[service] });
      res.end(JSON.stringify({ __type: "ServiceUnavailable", message: error.message }));
    });
    forward.end(body);
  };
};

/**
 * To a stand-in in this process: its request listener gets the request again (a stream of the
 * body already read, with the caller's method, URL and headers) and answers the caller itself,
 * so a call crosses one HTTP hop, not two. The stand-in parses the same protocol either way.
 */
const inProcess =
  (listener: RequestListener): Deliver =>
  (req, body, res) => {
    const again = Object.assign(Readable.from(body.length > 0 ? [body] : []), {
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      method: req.method,
      url: req.url,
      httpVersion: req.httpVersion,
      socket: req.socket,
    });
    listener(again as unknown as IncomingMessage, res);
  };

export const startPolicyProxy = async (options: PolicyProxyOptions): Promise<PolicyProxy> => {
  const deliver =
    typeof options.upstream === "string" ? overHttp(options.service, options.upstream) : inProcess(options.upstream);
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const caller = CREDENTIAL.exec(String(req.headers.authorization ?? ""))?.[1] ?? "anonymous";
      // API Gateway's control plane is REST: its IAM action is the method, its resource the path.
      const rest = options.service === "apigateway";
      const operation = rest
        ? new URL(req.url ?? "/", "http://localhost").pathname
        : (String(req.headers["x-amz-target"] ?? "")
            .split(".")
            .pop() ?? "");
      const policy = options.policyOf(caller);
      if (policy !== "unrestricted") {
        let parsed: Record<string, unknown> = {};
        try {
          const json: unknown = JSON.parse(body.toString("utf8") || "{}");
          if (isRecord(json)) parsed = json;
        } catch {
          // Not JSON: the stand-in answers it; the check sees no resource.
        }
        const action = `${options.service}:${rest ? (req.method ?? "GET") : operation}`;
        const resources = resourcesOf(options.service, operation, parsed, options.region, options.account);
        const contexts = contextsOf(options.service, operation, parsed);
        const denied = resources.find(
          (resource) => policy === undefined || contexts.some((context) => !policy.allows(action, resource, context)),
        );
        if (denied !== undefined) {
          options.onDenied?.({ caller, action, resource: denied });
          res.writeHead(rest ? 403 : 400, {
            "content-type": CONTENT_TYPE[options.service],
            ...(rest ? { "x-amzn-errortype": "AccessDeniedException" } : {}),
            "x-amzn-requestid": randomUUID(),
            "x-amzn-query-error": "AccessDenied;Sender",
          });
          res.end(
            JSON.stringify({
              __type: "com.amazon.coral.service#AccessDeniedException",
              message: `User: arn:aws:sts::${options.account}:assumed-role/${caller}/${caller} is not authorized to perform: ${action} on resource: ${denied} because no identity-based policy allows the ${action} action`,
            }),
          );
          return;
        }
      }
      deliver(req, body, res);
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error));
    });
  });
  server.keepAliveTimeout = 60_000;
  return serveOnLoopback(server);
};
