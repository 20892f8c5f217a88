/** Where the data lives: the DynamoDB tables and the SQS queues, with their environment variables. */
export interface GlobalIndexDescription {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
}

export interface TableDescription {
  /** Logical id, also the suffix of the physical table name. */
  readonly id: string;
  /** Environment variable through which functions learn the physical table name. */
  readonly env: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly globalIndexes?: readonly GlobalIndexDescription[];
  /** Epoch-seconds attribute DynamoDB TTL deletes by. Readers still check expiry themselves. */
  readonly ttlAttribute?: string;
  readonly purpose: string;
}

export const TABLES = {
  tenants: {
    id: "Tenants",
    env: "TABLE_TENANTS",
    partitionKey: "pk",
    sortKey: "sk",
    globalIndexes: [{ name: "by_api_key_id", partitionKey: "api_key_id" }],
    purpose: "Tenant profiles: plan, markup, API key id, callback secret name",
  },
  idempotency: {
    id: "Idempotency",
    env: "TABLE_IDEMPOTENCY",
    partitionKey: "id",
    ttlAttribute: "expiration",
    purpose: "Powertools idempotency records, keyed by tenant + operation + Idempotency-Key",
  },
  orders: {
    id: "Orders",
    env: "TABLE_ORDERS",
    partitionKey: "pk",
    sortKey: "sk",
    globalIndexes: [
      { name: "by_tenant_created", partitionKey: "tenant_id", sortKey: "created_key" },
      { name: "by_status", partitionKey: "status", sortKey: "updated_at" },
      // Sparse: only orders with events not yet on the bus carry outbox_pending.
      { name: "by_outbox", partitionKey: "outbox_pending", sortKey: "updated_at" },
      // Sparse: only BOOKED orders with a ticketing deadline carry hold_open (the sweep's lapsed holds).
      { name: "by_hold", partitionKey: "hold_open", sortKey: "ticketing_deadline" },
      // Sparse: BOOKED/ISSUED orders whose flights the schedule watch re-reads, by when next.
      { name: "by_schedule_check", partitionKey: "schedule_watch", sortKey: "schedule_check_due" },
      // Sparse: DRCT's booking reference → our order (DRCT's notifications name only its own id).
      { name: "by_drct_order", partitionKey: "drct_order_id" },
      // Sparse: the keyed blind index of the contact email (never the email), for data-subject search.
      { name: "by_email_index", partitionKey: "email_index" },
      // Sparse: orders still holding personal data, by when their last flight lands (retention).
      { name: "by_retention", partitionKey: "pii_held", sortKey: "last_flight_at" },
    ],
    purpose: "Orders, one item per order with its history and outbox",
  },
  offers: {
    id: "Offers",
    env: "TABLE_OFFERS",
    partitionKey: "pk",
    sortKey: "sk",
    ttlAttribute: "expires_at",
    purpose: "Offers seen by each tenant and cached search results",
  },
  supplierState: {
    id: "SupplierState",
    env: "TABLE_SUPPLIER_STATE",
    partitionKey: "pk",
    ttlAttribute: "expires_at",
    purpose: "Shared DRCT rate-limit buckets and circuit breaker state",
  },
  drctRequestLog: {
    id: "DrctRequestLog",
    env: "TABLE_DRCT_REQUEST_LOG",
    partitionKey: "pk",
    sortKey: "sk",
    ttlAttribute: "expires_at",
    purpose: "Sanitized log of every DRCT call: no token, no passenger data",
  },
  auditLog: {
    id: "AuditLog",
    env: "TABLE_AUDIT_LOG",
    partitionKey: "pk",
    sortKey: "sk",
    purpose: "Who changed what, when, under which correlation id",
  },
  deliveries: {
    id: "Deliveries",
    env: "TABLE_DELIVERIES",
    partitionKey: "pk",
    sortKey: "sk",
    globalIndexes: [{ name: "by_delivery_id", partitionKey: "delivery_id" }],
    ttlAttribute: "expires_at",
    purpose:
      "Partner callback deliveries and every attempt (ids, URL, statuses; no body, no personal data), kept 30 days",
  },
  events: {
    id: "Events",
    env: "TABLE_EVENTS",
    partitionKey: "pk",
    sortKey: "sk",
    ttlAttribute: "expires_at",
    purpose:
      "Each tenant's recent order events (ids, types, times, order ids and statuses; no personal data) for GET /public/events",
  },
  authEvents: {
    id: "AuthEvents",
    env: "TABLE_AUTH_EVENTS",
    partitionKey: "pk",
    sortKey: "sk",
    ttlAttribute: "expires_at",
    purpose:
      "Every refused authentication (reason, tenant, key id, source IP, user agent, route, time; never the key) for GET /ops/api/auth-events",
  },
  usage: {
    id: "Usage",
    env: "TABLE_USAGE",
    partitionKey: "pk",
    sortKey: "sk",
    purpose: "Per-tenant usage meters for billing",
  },
} as const satisfies Record<string, TableDescription>;

export type TableKey = keyof typeof TABLES;

/** Every table, widened to the description type (for code that walks them all). */
export const TABLE_ENTRIES = Object.entries(TABLES) as [TableKey, TableDescription][];

export interface QueueDescription {
  /** Logical id; the physical name is `<prefix>-<id>.fifo`. */
  readonly id: string;
  readonly env: string;
  readonly visibilityTimeoutSeconds: number;
  /** Receives before a message moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** Event source mapping batch size of the consuming function. */
  readonly batchSize: number;
  /**
   * How many batches the event source mapping hands the consumer at once (its ScalingConfig
   * maximumConcurrency; locally, that many pollers). Unset: one at a time locally.
   */
  readonly maxConcurrency?: number;
  readonly purpose: string;
}

export const QUEUES = {
  ticketing: {
    id: "ticketing",
    env: "QUEUE_TICKETING",
    // At least six times the consumer's timeout (AWS's guidance for event source mappings).
    visibilityTimeoutSeconds: 300,
    maxReceiveCount: 6,
    batchSize: 5,
    purpose: "Ticketing jobs, one message group per order, paced by the DRCT budgets",
  },
  callbacks: {
    id: "callbacks",
    env: "QUEUE_CALLBACKS",
    visibilityTimeoutSeconds: 300,
    maxReceiveCount: 20,
    batchSize: 5,
    // Several batches at once: a batch of one tenant's slow endpoints never holds up the rest.
    maxConcurrency: 4,
    purpose: "Partner callback deliveries, one message group per order",
  },
  scheduleChanges: {
    id: "schedule-changes",
    env: "QUEUE_SCHEDULE_CHANGES",
    visibilityTimeoutSeconds: 180,
    maxReceiveCount: 10,
    batchSize: 5,
    purpose: "DRCT's schedule-change notifications, verified, one message group per DRCT order",
  },
} as const satisfies Record<string, QueueDescription>;

export type QueueKey = keyof typeof QUEUES;

export const dlqIdOf = (queue: QueueDescription): string => `${queue.id}-dlq`;

/** Env var holding the URL of a queue's dead-letter queue, for functions that read or fill it. */
export const deadLetterEnvOf = (queue: QueueDescription): string => `${queue.env}_DLQ`;

export const physicalName = (prefix: string, id: string): string => `${prefix}-${id}`;
