import { AvfError } from "../domain/errors";
import { holdLapsed, invalidState, type Order, orderExpired, type Ticket } from "../domain/order";
import { SupplierError } from "../domain/supplier";
import type { Tenant } from "../domain/tenant";
import { rereadAfterConflict } from "./expire-order";
import { besideTheAnswer, moveOrder, type TransitionDeps } from "./order-transitions";
import type { CallContext, OrderSupplier, SupplierOrder, TicketingQueue, UsageMeter } from "./ports";

export interface IssueOrderDeps extends TransitionDeps {
  readonly ticketing: TicketingQueue;
  readonly usage: UsageMeter;
}

export const orderNotFound = () => new AvfError("AVF_404_ORDER_NOT_FOUND", "no such order");

/**
 * Accepts a ticketing request for a BOOKED order: the order goes ISSUING and a ticketing job
 * is queued (one message group per order); the worker asks DRCT. If queuing fails after the
 * move, the reconciliation sweep queues the job again. Past the ticketing deadline (or once
 * EXPIRED) → AVF_409_ORDER_EXPIRED; losing the write to the hold's expiry ends the same way.
 */
export const issueOrder = async (
  deps: IssueOrderDeps,
  tenant: Tenant,
  orderId: string,
  payment: { reference: string },
  /** The order's read, if the caller started it already (see readEarly). */
  early?: Promise<Order | undefined>,
): Promise<Order> => {
  const read = await (early ?? deps.orders.get(tenant.tenantId, orderId));
  if (read === undefined) throw orderNotFound();
  const issuable = (order: Order): Order => {
    if (order.status === "EXPIRED" || (order.status === "BOOKED" && holdLapsed(order, deps.now()))) {
      throw orderExpired(order);
    }
    if (order.status !== "BOOKED") throw invalidState(order, "be issued (only a BOOKED order can)");
    return order;
  };
  const move = (order: Order) =>
    moveOrder(deps, issuable(order), "ISSUING", `tenant:${tenant.tenantId}`, {
      change: { issue: { paymentReference: payment.reference, requestedAt: deps.now().toISOString() } },
    });
  let order = read;
  let issuing: Order;
  try {
    issuing = await move(order);
  } catch (error) {
    if (error instanceof AvfError) throw error;
    // Another writer got there first (the hold's expiry, another issue): decide on what it wrote.
    order = await rereadAfterConflict(deps, order, error);
    issuing = await move(order);
  }
  await deps.usage.record(tenant.tenantId, "issues", deps.now());
  // The answer (ISSUING) does not wait for the job: a job not queued is queued by reconciliation.
  await besideTheAnswer(deps, "ticketing job", () =>
    deps.ticketing
      .enqueue({ tenantId: order.tenantId, orderId: order.id, correlationId: order.correlationId })
      .catch((error: unknown) => deps.warn("ticketing job not queued; reconciliation will queue it", error)),
  );
  return issuing;
};

export interface TicketOrderDeps extends TransitionDeps {
  readonly supplier: OrderSupplier;
}

export const ACTOR_TICKETING = "worker:ticketing";

/** DRCT's Idempotency-Key for issuing an order: every try, the worker's or reconciliation's, is one issue. */
export const issueKeyOf = (order: Pick<Order, "id">): string => `avf-issue-${order.id}`;

/** DRCT's tickets as the order keeps them: one per passenger, by index. */
export const ticketsOf = (order: SupplierOrder): Ticket[] =>
  order.tickets.map((ticket) => ({ passenger_index: ticket.passenger_index, number: ticket.ticket_number }));

/**
 * The ticketing worker's step for one job. ISSUED → done (a duplicate job); DRCT issued →
 * ISSUED with a ticket per passenger; a definite refusal → FAILED with the reason; anything
 * uncertain or busy is thrown, so the queue retries the job (same DRCT Idempotency-Key).
 * On the last try the worker asks DRCT what happened rather than guessing.
 */
export const ticketOrder = async (
  deps: TicketOrderDeps,
  order: Order,
  call: CallContext,
  lastTry: boolean,
): Promise<Order> => {
  if (order.status !== "ISSUING" || order.drctOrderId === undefined) return order;
  try {
    const issued = await deps.supplier.issue(order.drctOrderId, issueKeyOf(order), call);
    return await moveOrder(deps, order, "ISSUED", ACTOR_TICKETING, {
      change: { tickets: ticketsOf(issued) },
    });
  } catch (error) {
    if (!(error instanceof SupplierError)) throw error;
    const definite = error.kind === "rejected" || error.kind === "not_found";
    if (!definite && !lastTry) throw error;
    if (!definite) {
      const found = await deps.supplier.findOrder(order.supplierBookingKey, call).catch(() => undefined);
      if (found?.status === "ISSUED") {
        return moveOrder(deps, order, "ISSUED", ACTOR_TICKETING, {
          change: { tickets: ticketsOf(found) },
        });
      }
      if (found === undefined) throw error;
    }
    if (error.supplierCode === "TICKETING_DEADLINE_PASSED") {
      return moveOrder(deps, order, "FAILED", ACTOR_TICKETING, {
        change: {
          failure: {
            code: "TICKETING_DEADLINE_PASSED",
            message: "DRCT's ticketing deadline passed before the tickets could be issued; book again",
          },
        },
      });
    }
    return moveOrder(deps, order, "FAILED", ACTOR_TICKETING, {
      change: {
        failure: {
          code: definite ? "TICKETING_REJECTED" : "TICKETING_FAILED",
          message: definite
            ? `DRCT refused to issue${error.supplierCode === undefined ? "" : ` (${error.supplierCode})`}`
            : `DRCT did not issue after every retry (${error.kind})`,
        },
      },
    });
  }
};
