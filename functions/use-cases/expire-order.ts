import { holdLapsed, type Order } from "../domain/order";
import { changeOrder, moveOrder, type TransitionDeps } from "./order-transitions";
import type { CallContext, OrderSupplier } from "./ports";

export interface ExpireOrderDeps extends TransitionDeps {
  readonly supplier: Pick<OrderSupplier, "release">;
}

/** The order workflow's wait on the ticketing deadline (the sweep uses the reconciliation's actor). */
export const ACTOR_HOLD = "workflow:hold";

/** Whether DRCT still holds a booking for this order that it should give back now. */
export const holdToGiveBack = (order: Order, now: Date): boolean =>
  (order.status === "BOOKED" && holdLapsed(order, now)) ||
  (order.status === "EXPIRED" && order.releasedAt === undefined && order.drctOrderId !== undefined);

/**
 * Re-reads an order after a save lost to another writer; answers it if it changed, or
 * rethrows the save's error when the order is as it was (the failure was not a race).
 */
export const rereadAfterConflict = async (deps: TransitionDeps, order: Order, error: unknown): Promise<Order> => {
  const fresh = await deps.orders.get(order.tenantId, order.id);
  if (fresh === undefined || fresh.version === order.version) throw error;
  return fresh;
};

/**
 * Ends a hold that lapsed unissued. A BOOKED order past its ticketing deadline becomes EXPIRED
 * (`order.expired`) in one conditional write from BOOKED, the same write an issue request
 * needs to go ISSUING: whichever lands first wins, so an expired order is never ticketed and
 * an order being issued is never expired. Then DRCT is asked to release the booking (a repeat
 * is harmless) and the release is recorded. A BOOKED order whose deadline has not come, or an
 * order that moved on, is answered as it is. A DRCT failure is thrown: the workflow retries,
 * and the reconciliation sweep finds holds not given back.
 */
export const expireOrder = async (
  deps: ExpireOrderDeps,
  order: Order,
  call: CallContext,
  actor: string = ACTOR_HOLD,
): Promise<Order> => {
  let current = order;
  if (current.status === "BOOKED") {
    if (!holdLapsed(current, deps.now())) return current;
    try {
      current = await moveOrder(deps, current, "EXPIRED", actor, {
        reason: "the ticketing deadline passed unissued",
      });
    } catch (error) {
      return expireOrder(deps, await rereadAfterConflict(deps, current, error), call, actor);
    }
  }
  if (!holdToGiveBack(current, deps.now()) || current.drctOrderId === undefined) return current;
  await deps.supplier.release(current.drctOrderId, call);
  try {
    return await changeOrder(deps, current, actor, {
      change: { releasedAt: deps.now().toISOString() },
      reason: "DRCT released the booking",
    });
  } catch (error) {
    return rereadAfterConflict(deps, current, error);
  }
};
