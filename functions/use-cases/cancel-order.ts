import { AvfError } from "../domain/errors";
import { invalidState, type Order } from "../domain/order";
import {
  activePassengers,
  passengerIdFor,
  passengerShare,
  passengersToCancel,
  type Refund,
  withCancelled,
} from "../domain/passengers";
import { SupplierError } from "../domain/supplier";
import type { Tenant } from "../domain/tenant";
import { orderNotFound } from "./issue-order";
import { changeOrder, moveOrder, type TransitionDeps } from "./order-transitions";
import type { CallContext, OrderSupplier, SupplierOrder } from "./ports";

export interface CancelOrderDeps extends TransitionDeps {
  readonly supplier: OrderSupplier;
}

const notCancellable = (order: Order, why: string) =>
  new AvfError("AVF_409_NOT_CANCELLABLE", `the order cannot be cancelled: ${why}`, {
    details: { order_id: order.id, status: order.status },
  });

/** DRCT's cancel, with its refusals in the API's words. */
const askDrct = async (order: Order, cancel: () => Promise<SupplierOrder>): Promise<SupplierOrder> => {
  try {
    return await cancel();
  } catch (error) {
    if (error instanceof SupplierError && error.kind === "rejected" && error.supplierCode === "NOT_CANCELLABLE") {
      throw notCancellable(order, "DRCT refused under the fare rules");
    }
    // Our order names a DRCT booking DRCT does not know: not the agency's error, nor an offer's.
    if (error instanceof SupplierError && error.kind === "not_found") {
      throw new AvfError("AVF_502_SUPPLIER_ERROR", "DRCT does not know this order's booking", {
        details: { drct_order_id: order.drctOrderId },
      });
    }
    throw error;
  }
};

/**
 * What each passenger cancelled alone gets back: their share of the price less DRCT's penalty
 * for them once ticketed; nothing was charged before, so 0 (the refund records the void).
 */
export const refundsOf = (order: Order, cancelled: readonly number[], drct: SupplierOrder): Refund[] =>
  cancelled.map((index) => {
    const atDrct = drct.passengers?.find((passenger) => passenger.passenger_index === index);
    const penalty = atDrct?.penalty ?? 0;
    const share = passengerShare(order.price.total, order.passengers.length, index);
    return {
      passengerId: passengerIdFor(order.id, index),
      amount: order.status === "ISSUED" ? Math.max(0, share - penalty) : 0,
      currency: order.price.currency,
      reference: atDrct?.refund_reference ?? drct.refund_reference ?? drct.order_id,
    };
  });

/**
 * Cancels a BOOKED (a free void) or ISSUED order, or some of its passengers, within its fare
 * rules: a ticketed non-refundable fare is refused before DRCT is asked.
 * - Without `passengerIds`, the whole order: CANCELLED with DRCT's refund reference and penalty,
 *   every passenger CANCELLED, and once ticketed a refund per passenger (their share less theirs
 *   of the penalty).
 * - With them, those passengers (and the infant on each one's lap): each CANCELLED with a refund,
 *   `order.passengers_cancelled`, the order's status kept; cancelling the last ones cancels the
 *   order. Passengers already cancelled are left as they are (nothing to do: the order answered).
 */
export const cancelOrder = async (
  deps: CancelOrderDeps,
  tenant: Tenant,
  orderId: string,
  call: CallContext,
  passengerIds?: readonly string[],
): Promise<Order> => {
  const order = await deps.orders.get(tenant.tenantId, orderId);
  if (order === undefined) throw orderNotFound();
  if (order.status !== "BOOKED" && order.status !== "ISSUED") throw invalidState(order, "be cancelled");
  if (order.status === "ISSUED" && !order.refundable)
    throw notCancellable(order, "the fare is not refundable once ticketed");
  const drctOrderId = order.drctOrderId;
  if (drctOrderId === undefined) throw invalidState(order, "be cancelled before DRCT confirmed it");
  const actor = `tenant:${tenant.tenantId}`;
  const active = activePassengers(order);
  if (passengerIds !== undefined) {
    const cancelling = passengersToCancel(order, passengerIds, (why) => notCancellable(order, why));
    if (cancelling.length === 0) return order;
    if (cancelling.length < active.length) {
      const drct = await askDrct(order, () => deps.supplier.cancelPassengers(drctOrderId, cancelling, call));
      return changeOrder(deps, order, actor, {
        change: {
          passengerStatuses: withCancelled(order, cancelling),
          refunds: [...(order.refunds ?? []), ...refundsOf(order, cancelling, drct)],
        },
        reason: `passengers cancelled: ${cancelling.map((index) => passengerIdFor(order.id, index)).join(", ")}`,
        events: ["order.passengers_cancelled"],
      });
    }
  }
  const cancelled = await askDrct(order, () => deps.supplier.cancel(drctOrderId, call));
  const penalty = cancelled.penalty ?? 0;
  const reference = cancelled.refund_reference;
  const refunds: Refund[] =
    reference === undefined
      ? []
      : active.map((index, position) => ({
          passengerId: passengerIdFor(order.id, index),
          amount: Math.max(
            0,
            passengerShare(order.price.total, order.passengers.length, index) -
              passengerShare(penalty, active.length, position),
          ),
          currency: order.price.currency,
          reference,
        }));
  return moveOrder(deps, order, "CANCELLED", actor, {
    change: {
      cancellation: {
        ...(reference === undefined ? {} : { refund_reference: reference }),
        penalty,
        cancelled_at: deps.now().toISOString(),
      },
      passengerStatuses: withCancelled(order, active),
      ...(refunds.length === 0 ? {} : { refunds: [...(order.refunds ?? []), ...refunds] }),
    },
  });
};
