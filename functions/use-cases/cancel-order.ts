import { AvfError } from "../domain/errors";
import { invalidState, type Order } from "../domain/order";
import { SupplierError } from "../domain/supplier";
import type { Tenant } from "../domain/tenant";
import { orderNotFound } from "./issue-order";
import { moveOrder, type TransitionDeps } from "./order-transitions";
import type { CallContext, OrderSupplier } from "./ports";

export interface CancelOrderDeps extends TransitionDeps {
  readonly supplier: OrderSupplier;
}

const notCancellable = (order: Order, why: string) =>
  new AvfError("AVF_409_NOT_CANCELLABLE", `the order cannot be cancelled: ${why}`, {
    details: { order_id: order.id, status: order.status },
  });

/**
 * Cancels a BOOKED (a free void) or ISSUED order, within its fare rules: a ticketed
 * non-refundable fare is refused before DRCT is asked. Records DRCT's refund reference and
 * penalty.
 */
export const cancelOrder = async (
  deps: CancelOrderDeps,
  tenant: Tenant,
  orderId: string,
  call: CallContext,
): Promise<Order> => {
  const order = await deps.orders.get(tenant.tenantId, orderId);
  if (order === undefined) throw orderNotFound();
  if (order.status !== "BOOKED" && order.status !== "ISSUED") throw invalidState(order, "be cancelled");
  if (order.status === "ISSUED" && !order.refundable)
    throw notCancellable(order, "the fare is not refundable once ticketed");
  if (order.drctOrderId === undefined) throw invalidState(order, "be cancelled before DRCT confirmed it");
  let cancelled: Awaited<ReturnType<OrderSupplier["cancel"]>>;
  try {
    cancelled = await deps.supplier.cancel(order.drctOrderId, call);
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
  return moveOrder(deps, order, "CANCELLED", `tenant:${tenant.tenantId}`, {
    change: {
      cancellation: {
        ...(cancelled.refund_reference === undefined ? {} : { refund_reference: cancelled.refund_reference }),
        penalty: cancelled.penalty ?? 0,
        cancelled_at: deps.now().toISOString(),
      },
    },
  });
};
