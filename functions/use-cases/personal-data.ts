import { AvfError } from "../domain/errors";
import {
  normalizeEmail,
  type PersonalDataExport,
  retentionCutoff,
  toPersonalDataExport,
} from "../domain/personal-data";
import type { EmailIndex, OrderRepository, PersonalDataAudit, PersonalDataStore } from "./ports";

/** Who is asking, for the AuditLog. */
export interface Requester {
  readonly tenantId: string;
  readonly correlationId: string;
}

export interface PersonalDataDeps {
  readonly orders: Pick<OrderRepository, "get" | "summary">;
  readonly store: PersonalDataStore;
  readonly audit: PersonalDataAudit;
  readonly now: () => Date;
}

const orderNotFound = () => new AvfError("AVF_404_ORDER_NOT_FOUND", "no such order");

const audited = (deps: Pick<PersonalDataDeps, "audit" | "now">, who: Requester) => ({
  record: (action: "export" | "erase" | "search", extra: { orderId?: string; results?: number }) =>
    deps.audit.recordAccess({
      tenantId: who.tenantId,
      action,
      ...extra,
      actor: `tenant:${who.tenantId}`,
      correlationId: who.correlationId,
      at: deps.now().toISOString(),
    }),
});

/**
 * The order's passengers and contact, unmasked, to the tenant that owns it; audited before it
 * is answered (no unaudited export). Another tenant's order is 404, as everywhere.
 */
export const exportPersonalData = async (
  deps: PersonalDataDeps,
  who: Requester,
  orderId: string,
): Promise<PersonalDataExport> => {
  const order = await deps.orders.get(who.tenantId, orderId);
  if (order === undefined) throw orderNotFound();
  await audited(deps, who).record("export", { orderId });
  return toPersonalDataExport(order);
};

/**
 * Erases the order's personal data everywhere it is: the order's encrypted fields and its
 * email index (the only places it is stored; events, deliveries and idempotency records hold
 * ids). Later reads, exports and callbacks carry none. Not while DRCT is still being asked to
 * book it (its booking needs the travellers): 409, try again once it has settled.
 */
export const erasePersonalData = async (deps: PersonalDataDeps, who: Requester, orderId: string): Promise<void> => {
  const order = await deps.orders.summary(who.tenantId, orderId);
  if (order === undefined) throw orderNotFound();
  if (order.status === "PENDING" || order.status === "PENDING_RECONCILE") {
    throw new AvfError("AVF_409_INVALID_STATE", `the order is ${order.status}: erase it once it has settled`, {
      details: { order_id: orderId, status: order.status },
    });
  }
  if (!(await deps.store.erase(who.tenantId, orderId))) throw orderNotFound();
  await audited(deps, who).record("erase", { orderId });
};

export interface SearchDeps {
  readonly index: EmailIndex;
  readonly store: Pick<PersonalDataStore, "findByEmailIndex">;
  readonly audit: PersonalDataAudit;
  readonly now: () => Date;
}

/** The tenant's orders whose contact email is `email` (normalized), never another tenant's. */
export const searchPersonalData = async (deps: SearchDeps, who: Requester, email: string): Promise<string[]> => {
  const index = await deps.index.indexOf(who.tenantId, normalizeEmail(email));
  const orderIds = await deps.store.findByEmailIndex(who.tenantId, index);
  await audited(deps, who).record("search", { results: orderIds.length });
  return orderIds;
};

export interface RetentionDeps {
  readonly store: Pick<PersonalDataStore, "erase" | "findDueForErasure">;
  readonly audit: PersonalDataAudit;
  readonly now: () => Date;
  readonly retentionDays: number;
}

/** Orders one run of the retention job erases at most; the rest are the next run's. */
export const RETENTION_BATCH = 100;

/**
 * The retention job (run by the scheduled reconciliation): erases the personal data of every
 * order whose last flight landed more than `retentionDays` ago, each erase audited. Answers
 * how many it erased; one that fails is left for the next run.
 */
export const eraseExpiredPersonalData = async (
  deps: RetentionDeps,
  warn: (message: string, error: unknown) => void,
): Promise<number> => {
  const now = deps.now();
  const due = await deps.store.findDueForErasure(retentionCutoff(now, deps.retentionDays), RETENTION_BATCH);
  let erasedCount = 0;
  for (const { tenantId, orderId } of due) {
    try {
      if (!(await deps.store.erase(tenantId, orderId))) continue;
      await deps.audit.recordAccess({
        tenantId,
        action: "retention_erase",
        orderId,
        actor: "retention",
        correlationId: `retention-${now.toISOString()}`,
        at: deps.now().toISOString(),
      });
      erasedCount += 1;
    } catch (error) {
      warn("personal data not erased yet; the next run retries", error);
    }
  }
  return erasedCount;
};
