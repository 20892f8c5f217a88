import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { dirname } from "node:path";
import { type LoopbackService, serveOnLoopback } from "./loopback";

/**
 * API Gateway's API keys and usage plan keys, locally: the part of its control plane the
 * tenant administration calls (CreateApiKey, DeleteApiKey, CreateUsagePlanKey,
 * DeleteUsagePlanKey, over API Gateway's REST protocol, so the handlers' SDK client only
 * changes endpoint), and the lookup its data plane does on `x-api-key`: a key is accepted
 * only when it exists, is enabled and is on a usage plan. Kept in a file under DATA_DIR, so
 * keys survive a restart.
 */
interface StoredKey {
  readonly id: string;
  readonly value: string;
  readonly name: string;
  readonly enabled: boolean;
  readonly createdDate: number;
  readonly usagePlans: string[];
}

const json = (res: ServerResponse, status: number, body: unknown, errorType?: string) => {
  res.writeHead(status, {
    "content-type": "application/json",
    ...(errorType === undefined ? {} : { "x-amzn-errortype": errorType }),
  });
  res.end(JSON.stringify(body));
};

const readJson = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (text === "") return {};
  const value: unknown = JSON.parse(text);
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
};

export class LocalApiKeys {
  private readonly keys = new Map<string, StoredKey>();
  /** Key ids by value: the data plane's lookup on every request, not a scan of every key. */
  private readonly idsByValue = new Map<string, string>();

  constructor(
    /** Usage plan ids that exist (the template's usage plans, by the name the local stage gives them). */
    private readonly usagePlans: ReadonlySet<string>,
    private readonly file?: string,
  ) {
    if (file === undefined) return;
    try {
      for (const key of JSON.parse(readFileSync(file, "utf8")) as StoredKey[]) this.put(key);
    } catch {
      // No file yet: no keys yet.
    }
  }

  /** A key as API Gateway's data plane sees it: its id when it would let the request through. */
  idOf(value: string): string | undefined {
    const key = this.keys.get(this.idsByValue.get(value) ?? "");
    return key?.enabled && key.usagePlans.length > 0 ? key.id : undefined;
  }

  private put(key: StoredKey): void {
    const previous = this.keys.get(key.id);
    if (previous !== undefined) this.idsByValue.delete(previous.value);
    this.keys.set(key.id, key);
    this.idsByValue.set(key.value, key.id);
  }

  private remove(id: string): boolean {
    const key = this.keys.get(id);
    if (key === undefined) return false;
    this.keys.delete(id);
    this.idsByValue.delete(key.value);
    return true;
  }

  /** A key the runtime provisions itself (the seeded tenants, as `cdk deploy` does in AWS). */
  seed(id: string, value: string, usagePlan: string): void {
    this.put({ id, value, name: id, enabled: true, createdDate: Date.now(), usagePlans: [usagePlan] });
    this.save();
  }

  private save(): void {
    if (this.file === undefined) return;
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(`${this.file}.tmp`, JSON.stringify([...this.keys.values()]), { mode: 0o600 });
    renameSync(`${this.file}.tmp`, this.file);
  }

  private notFound(res: ServerResponse, what: string) {
    json(res, 404, { message: `Invalid ${what} identifier specified` }, "NotFoundException");
  }

  /** One control-plane request. */
  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://localhost").pathname
      .split("/")
      .filter(Boolean)
      .map(decodeURIComponent);
    const method = req.method ?? "GET";
    if (method === "POST" && path.length === 1 && path[0] === "apikeys") {
      const body = await readJson(req);
      const value = typeof body.value === "string" ? body.value : randomBytes(30).toString("base64url");
      if (value.length < 20) {
        json(res, 400, { message: "API Key value should be at least 20 characters" }, "BadRequestException");
        return;
      }
      if (this.idsByValue.has(value)) {
        json(res, 409, { message: "API Key already exists" }, "ConflictException");
        return;
      }
      const key: StoredKey = {
        id: randomBytes(5).toString("hex"),
        value,
        name: typeof body.name === "string" ? body.name : "",
        enabled: body.enabled === true,
        createdDate: Date.now(),
        usagePlans: [],
      };
      this.put(key);
      this.save();
      json(res, 201, {
        id: key.id,
        value: key.value,
        name: key.name,
        enabled: key.enabled,
        createdDate: key.createdDate / 1000,
      });
      return;
    }
    if (method === "DELETE" && path.length === 2 && path[0] === "apikeys") {
      if (!this.remove(path[1] ?? "")) return this.notFound(res, "API Key");
      this.save();
      res.writeHead(202).end();
      return;
    }
    if (method === "GET" && path.length === 1 && path[0] === "usageplans") {
      json(res, 200, { item: [...this.usagePlans].map((id) => ({ id, name: id })) });
      return;
    }
    if (path[0] === "usageplans" && path[2] === "keys") {
      const plan = path[1] ?? "";
      if (!this.usagePlans.has(plan)) return this.notFound(res, "Usage Plan");
      if (method === "POST" && path.length === 3) {
        const body = await readJson(req);
        const key = this.keys.get(typeof body.keyId === "string" ? body.keyId : "");
        if (key === undefined) return this.notFound(res, "API Key");
        if (key.usagePlans.length > 0) {
          json(res, 409, { message: "Usage Plan already contains a key for this stage" }, "ConflictException");
          return;
        }
        this.put({ ...key, usagePlans: [plan] });
        this.save();
        json(res, 201, { id: key.id, type: "API_KEY", name: key.name });
        return;
      }
      if (method === "DELETE" && path.length === 4) {
        const key = this.keys.get(path[3] ?? "");
        if (key === undefined || !key.usagePlans.includes(plan)) return this.notFound(res, "Usage Plan Key");
        this.put({ ...key, usagePlans: key.usagePlans.filter((id) => id !== plan) });
        this.save();
        res.writeHead(202).end();
        return;
      }
    }
    json(res, 404, { message: `no local stand-in for ${method} /${path.join("/")}` }, "NotFoundException");
  }

  /** Serves the control plane on a loopback port (behind the IAM proxy, as the functions see it). */
  listen(): Promise<LoopbackService> {
    const server: Server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) json(res, 400, { message: String(error) }, "BadRequestException");
        else res.destroy();
      });
    });
    return serveOnLoopback(server);
  }
}
