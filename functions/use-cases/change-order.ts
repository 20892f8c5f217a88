import {
  amountsDue,
  type ChangeOffer,
  changeOfferIdFor,
  changeOfferNotFound,
  notChangeable,
  type PendingChange,
  supplierChangeKeyFor,
} from "../domain/change";
import { invalidState, type Order } from "../domain/order";
import { SupplierError } from "../domain/supplier";
import type { Tenant } from "../domain/tenant";
import { ticketsOf } from "./issue-order";
import { moveOrder, type TransitionDeps } from "./order-transitions";
import type { CallContext, ChangeDates, ChangeOfferStore, OrderSupplier, SupplierOrder, UsageMeter } from "./ports";

export interface ChangeOffersDeps {
  readonly orders: TransitionDeps["orders"];
  readonly supplier: Pick<OrderSupplier, "changeOffers">;
  readonly changeOffers: ChangeOfferStore;
}

export interface ChangeOrderDeps extends TransitionDeps {
  readonly supplier: Pick<OrderSupplier, "applyChange" | "findOrder">;
  readonly changeOffers: ChangeOfferStore;
  readonly usage: UsageMeter;
}

export const ACTOR_CHANGE_RECONCILIATION = "reconciliation";

/** The tenant's ISSUED order of a changeable fare, or the error that says why not. */
const changeableOrder = async (
  deps: { orders: TransitionDeps["orders"] },
  tenant: Tenant,
  orderId: string,
  notFound: () => Error,
): Promise<Order & { drctOrderId: string }> => {
  const order = await deps.orders.get(tenant.tenantId, orderId);
  if (order === undefined) throw notFound();
  if (order.changeable !== true) throw notChangeable(order.id);
  if (order.status !== "ISSUED" || order.drctOrderId === undefined) {
    throw invalidState(order, "be changed (only an ISSUED order can)");
  }
  return order as Order & { drctOrderId: string };
};

/**
 * DRCT's alternatives for an ISSUED order's flights on other dates, as ChangeOffers the
 * tenant may apply until `valid_until`: the price difference (never below 0: a cheaper
 * flight refunds nothing), the penalty, and their sum due. Remembered per tenant, like offers.
 */
export const findChangeOffers = async (
  deps: ChangeOffersDeps,
  tenant: Tenant,
  orderId: string,
  dates: ChangeDates,
  call: CallContext,
  notFound: () => Error,
): Promise<ChangeOffer[]> => {
  const order = await changeableOrder(deps, tenant, orderId, notFound);
  const answers = await deps.supplier.changeOffers(order.drctOrderId, dates, call);
  const offers = answers.map(
    (answer): ChangeOffer => ({
      id: changeOfferIdFor(tenant.tenantId, order.id, answer.change_offer_id),
      tenantId: tenant.tenantId,
      orderId: order.id,
      supplierChangeOfferId: answer.change_offer_id,
      validUntil: new Date(answer.valid_until).toISOString(),
      segments: answer.segments,
      ...amountsDue(answer.price_difference, answer.penalty),
      currency: order.price.currency,
    }),
  );
  await deps.changeOffers.remember(offers);
  return offers;
};

/** DRCT applies the change under the key of this order and change offer: once, however often asked. */
const applyAtDrct = (
  deps: Pick<ChangeOrderDeps, "supplier">,
  drctOrderId: string,
  orderId: string,
  pending: PendingChange,
  call: CallContext,
): Promise<SupplierOrder> =>
  deps.supplier.applyChange(
    drctOrderId,
    pending.supplierChangeOfferId,
    supplierChangeKeyFor(orderId, pending.changeOfferId),
    call,
  );

/** Whether DRCT's order shows this change applied. */
const appliedAtDrct = (found: SupplierOrder | undefined, pending: PendingChange): boolean =>
  found?.applied_changes?.some((change) => change.change_offer_id === pending.supplierChangeOfferId) === true;

/** CHANGING → ISSUED with DRCT's new flights and tickets, `order.changed`, and the change metered. */
const completeChange = async (
  deps: Omit<ChangeOrderDeps, "changeOffers">,
  order: Order,
  pending: PendingChange,
  drct: SupplierOrder,
  actor: string,
): Promise<Order> => {
  const appliedAt = deps.now().toISOString();
  const changed = await moveOrder(deps, order, "ISSUED", actor, {
    change: {
      segments: drct.segments ?? pending.segments,
      tickets: ticketsOf(drct),
      pendingChange: undefined,
      changes: [
        ...(order.changes ?? []),
        { changeOfferId: pending.changeOfferId, totalDue: pending.totalDue, currency: pending.currency, appliedAt },
      ],
    },
    reason: `change ${pending.changeOfferId} applied`,
    events: ["order.changed"],
  });
  await deps.usage.record(order.tenantId, "changes", deps.now());
  return changed;
};

/** CHANGING → ISSUED as it was: DRCT did not take the change (no event: nothing changed for the partner). */
const abandonChange = (deps: TransitionDeps, order: Order, actor: string, why: string) =>
  moveOrder(deps, order, "ISSUED", actor, { change: { pendingChange: undefined }, reason: why, events: [] });

/**
 * Applies a change offer: ISSUED → CHANGING (written before DRCT is asked, so a change whose
 * answer is lost is finished by the reconciliation, never applied twice: DRCT's key is one per
 * order and change offer) → ISSUED with the new flights and reissued tickets, `order.changed`.
 * An unknown or expired change offer is AVF_404_CHANGE_OFFER_NOT_FOUND; a fare that does not
 * allow changes AVF_409_NOT_CHANGEABLE. No answer from DRCT: the order stays CHANGING (the
 * caller answers 202) until reconciled; a definite refusal: ISSUED again and the error.
 */
export const applyChange = async (
  deps: ChangeOrderDeps,
  tenant: Tenant,
  orderId: string,
  changeOfferId: string,
  call: CallContext,
  notFound: () => Error,
): Promise<Order> => {
  const order = await changeableOrder(deps, tenant, orderId, notFound);
  const offer = await deps.changeOffers.find(tenant.tenantId, changeOfferId);
  const used = order.changes?.some((change) => change.changeOfferId === changeOfferId) === true;
  if (
    offer === undefined ||
    offer.orderId !== order.id ||
    used ||
    Date.parse(offer.validUntil) <= deps.now().getTime()
  ) {
    throw changeOfferNotFound();
  }
  const pending: PendingChange = {
    changeOfferId: offer.id,
    supplierChangeOfferId: offer.supplierChangeOfferId,
    segments: offer.segments,
    totalDue: offer.totalDue,
    currency: offer.currency,
    requestedAt: deps.now().toISOString(),
  };
  const actor = `tenant:${tenant.tenantId}`;
  const changing = await moveOrder(deps, order, "CHANGING", actor, { change: { pendingChange: pending } });
  try {
    return await completeChange(
      deps,
      changing,
      pending,
      await applyAtDrct(deps, order.drctOrderId, order.id, pending, call),
      actor,
    );
  } catch (error) {
    if (!(error instanceof SupplierError) || error.outcomeUncertain) {
      deps.warn("change not confirmed by DRCT; the reconciliation will settle it", error);
      return changing;
    }
    await abandonChange(deps, changing, actor, `DRCT refused the change (${error.supplierCode ?? error.kind})`);
    if (error.kind === "not_found") throw changeOfferNotFound();
    throw error;
  }
};

/**
 * The reconciliation of a CHANGING order: DRCT shows the change applied → ISSUED with it; not
 * applied and within the grace period → applied now under the same key (DRCT applies a key
 * once); past it, or refused → ISSUED as it was.
 */
export const settleChange = async (
  deps: Omit<ChangeOrderDeps, "changeOffers">,
  order: Order,
  call: CallContext,
  graceMs: number,
): Promise<Order> => {
  const pending = order.pendingChange;
  if (order.status !== "CHANGING" || pending === undefined || order.drctOrderId === undefined) return order;
  const found = await deps.supplier.findOrder(order.supplierBookingKey, call);
  if (found !== undefined && appliedAtDrct(found, pending)) {
    return completeChange(deps, order, pending, found, ACTOR_CHANGE_RECONCILIATION);
  }
  if (deps.now().getTime() - Date.parse(pending.requestedAt) >= graceMs) {
    return abandonChange(deps, order, ACTOR_CHANGE_RECONCILIATION, "DRCT never confirmed the change");
  }
  try {
    const drct = await applyAtDrct(deps, order.drctOrderId, order.id, pending, call);
    return await completeChange(deps, order, pending, drct, ACTOR_CHANGE_RECONCILIATION);
  } catch (error) {
    if (!(error instanceof SupplierError) || error.outcomeUncertain) return order;
    return abandonChange(deps, order, ACTOR_CHANGE_RECONCILIATION, `DRCT refused the change (${error.kind})`);
  }
};
