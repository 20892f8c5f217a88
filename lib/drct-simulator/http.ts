/** The simulator's HTTP plumbing: errors as DRCT answers them, bodies, canonical JSON for idempotency. */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export const MAX_BODY = 256 * 1024;

export const hash = (text: string): string => createHash("sha256").update(text).digest("hex");

export const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, "PAYLOAD_TOO_LARGE", "body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
};

export const parseJsonBody = (text: string): Record<string, unknown> => {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new HttpError(400, "INVALID_JSON", "body must be a JSON object");
};

/** JSON with sorted keys: two requests that mean the same thing hash the same. */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === "object" && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );

export const send = (res: ServerResponse, reply: Reply): void => {
  const body = JSON.stringify(reply.body);
  res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
  res.end(body);
};
