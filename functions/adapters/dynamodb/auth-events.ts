import { randomUUID } from "node:crypto";
import { PutCommand, QueryCommand, type QueryCommandOutput } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { REFUSAL_REASONS, type RefusalReason } from "../../domain/access";
import { validationError } from "../../domain/errors";
import { tableName } from "../../shared/config";
import { dynamo } from "./client";

/** How long refusals stay listable (TTL; readers filter too, since dynalite never deletes). */
export const AUTH_EVENT_RETENTION_DAYS = 30;

/** A refused authentication. Never the key itself: its id at most. */
export interface AuthEvent {
  readonly id: string;
  readonly at: string;
  readonly reason: RefusalReason;
  readonly tenantId?: string;
  readonly keyId?: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  /** `METHOD /resource/{param}` as API Gateway names it. */
  readonly route: string;
  readonly correlationId?: string;
}

export type NewAuthEvent = Omit<AuthEvent, "id" | "at">;

/** Partitioned by UTC day, newest first within it. */
const partition = (at: string) => `DAY#${at.slice(0, 10)}`;

const Item = z.object({
  event_id: z.string(),
  at: z.string(),
  reason: z.enum(REFUSAL_REASONS),
  tenant_id: z.string().optional(),
  key_id: z.string().optional(),
  source_ip: z.string().optional(),
  user_agent: z.string().optional(),
  route: z.string(),
  correlation_id: z.string().optional(),
});

/** What operators read (GET /ops/api/auth-events): the stored fields, snake_case as the API speaks. */
export type AuthEventView = z.output<typeof Item>;

export const recordAuthEvent = async (event: NewAuthEvent, now: Date = new Date()): Promise<AuthEvent> => {
  const at = now.toISOString();
  const stored: AuthEvent = { ...event, id: `aev_${randomUUID()}`, at };
  await dynamo().send(
    new PutCommand({
      TableName: tableName("authEvents"),
      Item: {
        pk: partition(at),
        sk: `${at}#${stored.id}`,
        event_id: stored.id,
        at,
        reason: stored.reason,
        tenant_id: stored.tenantId,
        key_id: stored.keyId,
        source_ip: stored.sourceIp,
        // A user agent is the caller's to choose: kept short.
        user_agent: stored.userAgent?.slice(0, 256),
        route: stored.route,
        correlation_id: stored.correlationId,
        expires_at: Math.floor(now.getTime() / 1000) + AUTH_EVENT_RETENTION_DAYS * 86_400,
      },
    }),
  );
  return stored;
};

export interface AuthEventQuery {
  readonly tenantId?: string;
  readonly reason?: RefusalReason;
  readonly limit: number;
  readonly cursor?: string;
}

interface Cursor {
  readonly day: string;
  readonly sk?: string;
}

const encodeCursor = (cursor: Cursor): string => Buffer.from(JSON.stringify(cursor)).toString("base64url");

const decodeCursor = (text: string): Cursor => {
  try {
    const value = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as Record<string, unknown>;
    if (
      typeof value.day === "string" &&
      /^\d{4}-\d{2}-\d{2}$/.test(value.day) &&
      (value.sk === undefined || (typeof value.sk === "string" && value.sk.length < 200))
    ) {
      return { day: value.day, ...(value.sk === undefined ? {} : { sk: value.sk }) };
    }
  } catch {
    // fall through
  }
  throw validationError([{ path: "cursor", message: "is not a cursor this API gave you" }]);
};

const dayBefore = (day: string): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

/** Newest first, across days, within the retention; filtered by tenant and reason. */
export const listAuthEvents = async (
  query: AuthEventQuery,
  now: Date = new Date(),
): Promise<{ events: AuthEventView[]; nextCursor: string | null }> => {
  const oldestDay = new Date(now.getTime() - AUTH_EVENT_RETENTION_DAYS * 86_400_000).toISOString().slice(0, 10);
  const start = query.cursor === undefined ? { day: now.toISOString().slice(0, 10) } : decodeCursor(query.cursor);
  const events: AuthEventView[] = [];
  let day = start.day;
  let lastKey: QueryCommandOutput["LastEvaluatedKey"] =
    start.sk === undefined ? undefined : { pk: `DAY#${day}`, sk: start.sk };
  const filters = ["expires_at > :now"];
  const values: Record<string, unknown> = { ":now": Math.floor(now.getTime() / 1000) };
  if (query.tenantId !== undefined) {
    filters.push("tenant_id = :tenant");
    values[":tenant"] = query.tenantId;
  }
  if (query.reason !== undefined) {
    filters.push("reason = :reason");
    values[":reason"] = query.reason;
  }
  while (day >= oldestDay) {
    const page: QueryCommandOutput = await dynamo().send(
      new QueryCommand({
        TableName: tableName("authEvents"),
        KeyConditionExpression: "pk = :pk",
        FilterExpression: filters.join(" AND "),
        ExpressionAttributeValues: { ...values, ":pk": `DAY#${day}` },
        ScanIndexForward: false,
        Limit: query.limit - events.length,
        ...(lastKey === undefined ? {} : { ExclusiveStartKey: lastKey }),
      }),
    );
    for (const item of page.Items ?? []) events.push(Item.parse(item));
    lastKey = page.LastEvaluatedKey;
    if (events.length >= query.limit) {
      const last = lastKey?.sk;
      const nextCursor =
        typeof last === "string" ? encodeCursor({ day, sk: last }) : encodeCursor({ day: dayBefore(day) });
      return { events, nextCursor: dayBefore(day) < oldestDay && last === undefined ? null : nextCursor };
    }
    if (lastKey === undefined) day = dayBefore(day);
  }
  return { events, nextCursor: null };
};
