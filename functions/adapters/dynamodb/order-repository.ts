import { randomUUID } from "node:crypto";
import { GetCommand, PutCommand, QueryCommand, type QueryCommandOutput, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type PII_FIELDS, TABLES } from "../../../lib/resources";
import type { Contact, Order, OrderStatus, Passenger } from "../../domain/order";
import { ERASED_CONTACT } from "../../domain/personal-data";
import { SCHEDULE_WATCHED } from "../../domain/schedule-change";
import { tableName } from "../../shared/config";
import type { EmailIndex, OrderEvent, OrderPage, OrderRepository, OrderSummary } from "../../use-cases/ports";
import type { FieldCipher } from "../pii/field-cipher";
import { dynamo, isConditionalCheckFailure, unlessConditionFailed } from "./client";
import { decodeCursor, encodeCursor, ISO_INSTANT } from "./cursor";

/** The partition of the sparse `by_schedule_check` index. */
export const SCHEDULE_WATCH = "1";

export const orderKey = (tenantId: string, orderId: string) => ({ pk: `TENANT#${tenantId}`, sk: `ORDER#${orderId}` });

/**
 * An order's ids, status, moves and callback URL, read consistently and without its
 * encrypted fields: for functions that must check an order but have no business decrypting it.
 */
export const readOrderSummary = async (tenantId: string, orderId: string): Promise<OrderSummary | undefined> => {
  const result = await dynamo().send(
    new GetCommand({
      TableName: tableName("orders"),
      Key: orderKey(tenantId, orderId),
      ProjectionExpression: "tenant_id, order_id, #status, version, history, callback_url",
      ExpressionAttributeNames: { "#status": "status" },
      ConsistentRead: true,
    }),
  );
  const item = result.Item;
  if (item === undefined) return undefined;
  return {
    tenantId: String(item.tenant_id),
    orderId: String(item.order_id),
    status: item.status as OrderStatus,
    version: Number(item.version),
    history: (item.history ?? []) as OrderSummary["history"],
    ...(typeof item.callback_url === "string" ? { callbackUrl: item.callback_url } : {}),
  };
};

/** Another writer moved the order first: re-read and decide again. */
export class OrderConflict extends Error {
  constructor(readonly orderId: string) {
    super(`order ${orderId} changed concurrently`);
  }
}

type Item = Record<string, unknown>;

/** Bound into every ciphertext; the PII key's grants allow exactly these fields (PII_FIELDS). */
const cipherContext = (order: Pick<Order, "tenantId" | "id">, field: (typeof PII_FIELDS)[number]) => ({
  tenant_id: order.tenantId,
  order_id: order.id,
  field,
});

const MUTABLE = [
  "drctOrderId",
  "ticketingDeadline",
  "releasedAt",
  "tickets",
  "passengerStatuses",
  "refunds",
  "segments",
  "pendingChange",
  "changes",
  "failure",
  "cancellation",
  "issue",
  "scheduleChanges",
  "disruptions",
] as const;
const COLUMN: Record<(typeof MUTABLE)[number], string> = {
  scheduleChanges: "schedule_changes",
  disruptions: "disruptions",
  drctOrderId: "drct_order_id",
  ticketingDeadline: "ticketing_deadline",
  releasedAt: "released_at",
  passengerStatuses: "passenger_statuses",
  refunds: "refunds",
  segments: "segments",
  pendingChange: "pending_change",
  changes: "changes",
  tickets: "tickets",
  failure: "failure",
  cancellation: "cancellation",
  issue: "issue",
};

/** An order's outbox, oldest first: a map keeps no order, so by the move that caused each event, then its place in it. */
const outboxEvents = (outbox: unknown): OrderEvent[] =>
  Object.values((outbox ?? {}) as Record<string, OrderEvent>).sort(
    (a, b) => a.sequence - b.sequence || (a.position ?? 0) - (b.position ?? 0),
  );

/**
 * Orders in DynamoDB, one item each. Passengers and contact are stored encrypted (field
 * cipher, bound to tenant, order id and field); every change is one conditional write on
 * the version read, carrying the events it causes in the item's own outbox, so a change and
 * its announcement cannot be separated by a crash (dynalite has no transactions, and none
 * are needed).
 */
export class DynamoOrderRepository implements OrderRepository {
  /** `emailIndex`: for the functions that create orders, so a data-subject search finds them. */
  constructor(
    private readonly cipher: FieldCipher,
    private readonly emailIndex?: EmailIndex,
  ) {}

  async create(order: Order, events: readonly OrderEvent[]): Promise<"created" | "exists"> {
    const [passengers, contact, emailIndex] = await Promise.all([
      this.cipher.encrypt(order.passengers, cipherContext(order, "passengers")),
      this.cipher.encrypt(order.contact, cipherContext(order, "contact")),
      this.emailIndex?.indexOf(order.tenantId, order.contact.email),
    ]);
    try {
      await dynamo().send(
        new PutCommand({
          TableName: tableName("orders"),
          Item: {
            ...orderKey(order.tenantId, order.id),
            tenant_id: order.tenantId,
            order_id: order.id,
            status: order.status,
            created_key: `${order.createdAt}#${order.id}`,
            created_at: order.createdAt,
            updated_at: order.updatedAt,
            offer_id: order.offerId,
            supplier_offer_id: order.supplierOfferId,
            price: order.price,
            passengers_enc: passengers,
            contact_enc: contact,
            ...(emailIndex === undefined ? {} : { email_index: emailIndex }),
            // Sparse index by_retention: present while the order holds personal data.
            ...(order.lastFlightAt === undefined ? {} : { last_flight_at: order.lastFlightAt, pii_held: "1" }),
            passenger_count: order.passengers.length,
            callback_url: order.callbackUrl,
            external_ref: order.externalRef,
            supplier_booking_key: order.supplierBookingKey,
            refundable: order.refundable,
            changeable: order.changeable,
            segments: order.segments,
            history: order.history,
            correlation_id: order.correlationId,
            version: order.version,
            outbox: Object.fromEntries(events.map((event) => [event.id, event])),
            ...(events.length > 0 ? { outbox_pending: "1" } : {}),
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return "created";
    } catch (error) {
      if (isConditionalCheckFailure(error)) return "exists";
      throw error;
    }
  }

  summary(tenantId: string, orderId: string): Promise<OrderSummary | undefined> {
    return readOrderSummary(tenantId, orderId);
  }

  async get(tenantId: string, orderId: string): Promise<Order | undefined> {
    const result = await dynamo().send(
      new GetCommand({ TableName: tableName("orders"), Key: orderKey(tenantId, orderId), ConsistentRead: true }),
    );
    return result.Item === undefined ? undefined : this.toOrder(result.Item);
  }

  /**
   * Writes `next` over `previous` if nobody else wrote since it was read (same version and
   * status); throws OrderConflict otherwise.
   */
  async save(previous: Order, next: Order, events: readonly OrderEvent[]): Promise<OrderEvent[]> {
    const names: Record<string, string> = { "#status": "status" };
    const values: Record<string, unknown> = {
      ":status": next.status,
      ":updated": next.updatedAt,
      ":history": next.history,
      ":version": next.version,
      ":seen": previous.version,
      ":from": previous.status,
    };
    const sets = ["#status = :status", "updated_at = :updated", "history = :history", "version = :version"];
    const removes: string[] = [];
    for (const field of MUTABLE) {
      if (next[field] !== undefined && next[field] !== previous[field]) {
        names[`#${field}`] = COLUMN[field];
        values[`:${field}`] = next[field];
        sets.push(`#${field} = :${field}`);
      } else if (next[field] === undefined && previous[field] !== undefined) {
        // A field the change ends (a pending change applied): gone from the item too.
        names[`#${field}`] = COLUMN[field];
        removes.push(`#${field}`);
      }
    }
    events.forEach((event, index) => {
      names[`#e${index}`] = event.id;
      values[`:e${index}`] = event;
      sets.push(`#outbox.#e${index} = :e${index}`);
    });
    if (events.length > 0) {
      names["#outbox"] = "outbox";
      values[":pending"] = "1";
      sets.push("outbox_pending = :pending");
    }
    // The holds index: BOOKED orders with a deadline, and EXPIRED ones DRCT has not released yet.
    const held =
      next.ticketingDeadline !== undefined &&
      (next.status === "BOOKED" || (next.status === "EXPIRED" && next.releasedAt === undefined));
    if (held) {
      values[":hold"] = "1";
      sets.push("hold_open = :hold");
    }
    if (!held) removes.push("hold_open");
    removes.push(...watchSchedule(previous, next, sets, values));
    try {
      const written = await dynamo().send(
        new UpdateCommand({
          TableName: tableName("orders"),
          Key: orderKey(next.tenantId, next.id),
          UpdateExpression: `SET ${sets.join(", ")}${removes.length === 0 ? "" : ` REMOVE ${removes.join(", ")}`}`,
          ConditionExpression: "version = :seen AND #status = :from",
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          // The outbox as this write left it comes back with the write (UPDATED_NEW would give only this write's events).
          ReturnValues: "ALL_NEW",
        }),
      );
      return outboxEvents(written.Attributes?.outbox);
    } catch (error) {
      if (isConditionalCheckFailure(error)) throw new OrderConflict(next.id);
      throw error;
    }
  }

  async pendingEvents(tenantId: string, orderId: string): Promise<OrderEvent[]> {
    const result = await dynamo().send(
      new GetCommand({
        TableName: tableName("orders"),
        Key: orderKey(tenantId, orderId),
        ProjectionExpression: "#outbox",
        ExpressionAttributeNames: { "#outbox": "outbox" },
        ConsistentRead: true,
      }),
    );
    return outboxEvents(result.Item?.outbox);
  }

  /** Removes published events from the outbox; clears the pending flag once it is empty. */
  async markPublished(tenantId: string, orderId: string, eventIds: readonly string[]): Promise<void> {
    if (eventIds.length === 0) return;
    const names: Record<string, string> = { "#outbox": "outbox" };
    eventIds.forEach((id, index) => {
      names[`#e${index}`] = id;
    });
    const result = await dynamo().send(
      new UpdateCommand({
        TableName: tableName("orders"),
        Key: orderKey(tenantId, orderId),
        UpdateExpression: `REMOVE ${eventIds.map((_, index) => `#outbox.#e${index}`).join(", ")}`,
        ExpressionAttributeNames: names,
        ReturnValues: "ALL_NEW",
      }),
    );
    if (Object.keys((result.Attributes?.outbox ?? {}) as object).length === 0) {
      await dynamo()
        .send(
          new UpdateCommand({
            TableName: tableName("orders"),
            Key: orderKey(tenantId, orderId),
            UpdateExpression: "REMOVE outbox_pending",
            ConditionExpression: "size(#outbox) = :zero",
            ExpressionAttributeNames: { "#outbox": "outbox" },
            ExpressionAttributeValues: { ":zero": 0 },
          }),
        )
        .catch(unlessConditionFailed);
    }
  }

  async list(tenantId: string, query: { status?: OrderStatus; limit: number; cursor?: string }): Promise<OrderPage> {
    const startKey = query.cursor === undefined ? undefined : listCursor(query.cursor, tenantId);
    const items: Item[] = [];
    let lastKey: QueryCommandOutput["LastEvaluatedKey"] = startKey;
    // A status filter may thin out pages: keep reading until the page is full or the index ends.
    do {
      const page: QueryCommandOutput = await dynamo().send(
        new QueryCommand({
          TableName: tableName("orders"),
          IndexName: TABLES.orders.globalIndexes[0].name,
          KeyConditionExpression: "tenant_id = :tenant",
          ExpressionAttributeValues: {
            ":tenant": tenantId,
            ...(query.status === undefined ? {} : { ":status": query.status }),
          },
          ...(query.status === undefined
            ? {}
            : { FilterExpression: "#status = :status", ExpressionAttributeNames: { "#status": "status" } }),
          ScanIndexForward: false,
          Limit: query.limit - items.length,
          ExclusiveStartKey: lastKey,
        }),
      );
      items.push(...(page.Items ?? []));
      lastKey = page.LastEvaluatedKey;
    } while (lastKey !== undefined && items.length < query.limit);
    return {
      orders: await Promise.all(items.map((item) => this.toOrder(item))),
      nextCursor: lastKey === undefined ? undefined : encodeCursor(lastKey),
    };
  }

  /** Orders in `status` not changed since `before`: the reconciliation's work list. */
  async findByStatus(
    status: OrderStatus,
    before: string,
    limit: number,
  ): Promise<{ tenantId: string; orderId: string }[]> {
    const result = await dynamo().send(
      new QueryCommand({
        TableName: tableName("orders"),
        IndexName: TABLES.orders.globalIndexes[1].name,
        KeyConditionExpression: "#status = :status AND updated_at < :before",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: { ":status": status, ":before": before },
        Limit: limit,
      }),
    );
    return (result.Items ?? []).map((item) => ({ tenantId: String(item.tenant_id), orderId: String(item.order_id) }));
  }

  /** Holds whose ticketing deadline is before `now`: BOOKED to expire, or EXPIRED to release (the sweep's work). */
  findLapsedHolds(now: string, limit: number): Promise<{ tenantId: string; orderId: string }[]> {
    return this.flagged(3, "hold_open", "ticketing_deadline", now, limit);
  }

  /** Orders whose events did not all reach the bus. */
  findWithPendingEvents(before: string, limit: number): Promise<{ tenantId: string; orderId: string }[]> {
    return this.flagged(2, "outbox_pending", "updated_at", before, limit);
  }

  /** The orders of a sparse index (its flag set to "1") whose sort key is before `before`. */
  private async flagged(
    index: 2 | 3,
    flag: string,
    sortKey: string,
    before: string,
    limit: number,
  ): Promise<{ tenantId: string; orderId: string }[]> {
    const result = await dynamo().send(
      new QueryCommand({
        TableName: tableName("orders"),
        IndexName: TABLES.orders.globalIndexes[index].name,
        KeyConditionExpression: `${flag} = :flag AND ${sortKey} < :before`,
        ExpressionAttributeValues: { ":flag": "1", ":before": before },
        Limit: limit,
      }),
    );
    return (result.Items ?? []).map((item) => ({ tenantId: String(item.tenant_id), orderId: String(item.order_id) }));
  }

  private async toOrder(item: Item): Promise<Order> {
    const ids = { tenantId: String(item.tenant_id), id: String(item.order_id) };
    const personalDataErased = item.personal_data_erased === true;
    const [passengers, contact] = personalDataErased
      ? [[], ERASED_CONTACT]
      : await Promise.all([
          this.cipher.decrypt<Passenger[]>(String(item.passengers_enc), cipherContext(ids, "passengers")),
          this.cipher.decrypt<Contact>(String(item.contact_enc), cipherContext(ids, "contact")),
        ]);
    return {
      id: ids.id,
      tenantId: ids.tenantId,
      status: item.status as OrderStatus,
      offerId: String(item.offer_id),
      supplierOfferId: String(item.supplier_offer_id),
      price: item.price as Order["price"],
      passengers,
      contact,
      callbackUrl: item.callback_url as string | undefined,
      externalRef: item.external_ref as string | undefined,
      supplierBookingKey: String(item.supplier_booking_key),
      drctOrderId: item.drct_order_id as string | undefined,
      ticketingDeadline: item.ticketing_deadline as string | undefined,
      releasedAt: item.released_at as string | undefined,
      tickets: item.tickets as Order["tickets"],
      passengerStatuses: item.passenger_statuses as Order["passengerStatuses"],
      refunds: item.refunds as Order["refunds"],
      failure: item.failure as Order["failure"],
      cancellation: item.cancellation as Order["cancellation"],
      issue: item.issue as Order["issue"],
      scheduleChanges: item.schedule_changes as Order["scheduleChanges"],
      disruptions: item.disruptions as Order["disruptions"],
      refundable: item.refundable === true,
      changeable: typeof item.changeable === "boolean" ? item.changeable : undefined,
      segments: item.segments as Order["segments"],
      pendingChange: item.pending_change as Order["pendingChange"],
      changes: item.changes as Order["changes"],
      createdAt: String(item.created_at),
      updatedAt: String(item.updated_at),
      history: (item.history ?? []) as Order["history"],
      correlationId: String(item.correlation_id),
      version: Number(item.version),
      ...(personalDataErased ? { personalDataErased } : {}),
      ...(typeof item.last_flight_at === "string" ? { lastFlightAt: item.last_flight_at } : {}),
    };
  }
}

/**
 * The schedule watch's sparse index (schedule-watch.ts): an order joins it when it becomes
 * BOOKED or ISSUED with known flights, due for its first check at once, and leaves it with
 * any other status. Answers the attributes to remove.
 */
const watchSchedule = (previous: Order, next: Order, sets: string[], values: Record<string, unknown>): string[] => {
  const watched = (order: Order) => SCHEDULE_WATCHED.includes(order.status) && order.segments !== undefined;
  if (watched(next)) {
    if (!watched(previous)) {
      values[":watch"] = SCHEDULE_WATCH;
      sets.push("schedule_watch = :watch", "schedule_check_due = if_not_exists(schedule_check_due, :updated)");
    }
    return [];
  }
  return watched(previous) ? ["schedule_watch"] : [];
};

/** Cursors are opaque to clients but checked here: exactly a by_tenant_created key of this tenant's. */
const listCursor = (cursor: string, tenantId: string) =>
  decodeCursor(cursor, ["pk", "sk", "tenant_id", "created_key"], (key) => {
    const orderId = (key.sk ?? "").slice("ORDER#".length);
    const [at = "", id = "", ...rest] = (key.created_key ?? "").split("#");
    return (
      key.tenant_id === tenantId &&
      key.pk === orderKey(tenantId, orderId).pk &&
      key.sk === orderKey(tenantId, orderId).sk &&
      /^ord_[A-Za-z0-9_-]{10,40}$/.test(orderId) &&
      rest.length === 0 &&
      ISO_INSTANT.test(at) &&
      id === orderId
    );
  });

export const newEventId = (): string => `evt_${randomUUID()}`;
