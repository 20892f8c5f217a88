import { Duration } from "aws-cdk-lib";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import {
  Choice,
  Condition,
  Fail,
  type IChainable,
  JsonPath,
  Map as MapState,
  Pass,
  Succeed,
  TaskInput,
  Wait,
  WaitTime,
} from "aws-cdk-lib/aws-stepfunctions";
import { LambdaInvoke } from "aws-cdk-lib/aws-stepfunctions-tasks";
import type { Construct } from "constructs";
import { ORDER_STATUSES, type OrderStatus } from "../../functions/domain/order";
import type { TaskKey } from "../resources";

/**
 * The workflows, defined once as CDK chains: the stateless stack deploys them, and the local
 * runtime executes the ASL rendered from the same chains (lib/local/step-functions.ts).
 * State names are what an operator reads in the console, so they say what happens.
 */

/** Lambda's own transient failures; our handlers decide about DRCT themselves. */
const LAMBDA_TRANSIENT = [
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
  "Lambda.TooManyRequestsException",
];

const task = (
  scope: Construct,
  name: string,
  fn: IFunction,
  resultPath: string,
  options: { payload?: TaskInput; retryTransient?: boolean } = {},
) => {
  const invoke = new LambdaInvoke(scope, name, {
    lambdaFunction: fn,
    payloadResponseOnly: true,
    resultPath,
    ...(options.payload === undefined ? {} : { payload: options.payload }),
    retryOnServiceExceptions: options.retryTransient ?? true,
  });
  if (options.retryTransient ?? true) {
    invoke.addRetry({ errors: LAMBDA_TRANSIENT, interval: Duration.seconds(2), maxAttempts: 3, backoffRate: 2 });
  }
  return invoke;
};

/** Statuses in which an order's booking is still open: the lifecycle keeps reconciling. */
const BOOKING_OPEN: readonly OrderStatus[] = ["PENDING", "PENDING_RECONCILE"];

/**
 * Where the lifecycle goes on the order's status: FAILED fails the execution, any other
 * settled status (BOOKED, and whatever the order moved on to meanwhile: ISSUING, ISSUED,
 * CANCELLED) ends it, and only an open booking (or no status at all) waits and reconciles.
 */
const onBookingStatus = (scope: Construct, name: string, done: Succeed, failed: Fail, reconcile: IChainable) => {
  const settled = ORDER_STATUSES.filter((status) => status !== "FAILED" && !BOOKING_OPEN.includes(status));
  return new Choice(scope, name)
    .when(Condition.or(...settled.map((status) => Condition.stringEquals("$.booking.status", status))), done)
    .when(Condition.stringEquals("$.booking.status", "FAILED"), failed)
    .otherwise(reconcile);
};

/** The sweep's shape, which keeps one run inside its time budget (test/infra checks the sum). */
export const SWEEP = {
  /** Orders reconciled at once; DRCT's order_get budget (10/s) is shared by them. */
  concurrency: 10,
  timeout: Duration.minutes(15),
} as const;

/**
 * One execution per order, named after it. Input: {order_id, tenant_id, reconcile_after_s}.
 * Booking either lands (BOOKED, FAILED) or is uncertain (PENDING_RECONCILE, or the task
 * itself failed): then it waits and asks DRCT until the order is settled. The reconcile task
 * answers FAILED once the grace period is over, so the loop ends.
 */
export const orderLifecycleDefinition = (scope: Construct, functions: Record<TaskKey, IFunction>): IChainable => {
  const booked = new Succeed(scope, "Booked: awaiting issue request", { comment: "BOOKED, or already beyond it" });
  const failed = new Fail(scope, "Booking failed", {
    error: "BookingFailed",
    cause: "DRCT refused or never confirmed the booking",
  });
  const waitBeforeReconciling = new Wait(scope, "Wait before reconciling", {
    time: WaitTime.secondsPath("$.reconcile_after_s"),
  });
  const reconcile = task(scope, "Reconcile booking with DRCT", functions.reconcileOrder, "$.booking");
  reconcile.addCatch(waitBeforeReconciling, { errors: ["States.ALL"], resultPath: "$.last_error" });
  waitBeforeReconciling
    .next(reconcile)
    .next(onBookingStatus(scope, "Booking settled?", booked, failed, waitBeforeReconciling));

  const book = task(scope, "Book with DRCT", functions.bookOrder, "$.booking");
  // DRCT was not called (breaker open, budget, our token): try the booking again for about
  // ten minutes, never more than 15 s apart, so a booking goes through soon after DRCT is back.
  book.addRetry({
    errors: ["SupplierBusy"],
    interval: Duration.seconds(3),
    backoffRate: 1.5,
    maxDelay: Duration.seconds(15),
    maxAttempts: 40,
  });
  book.addCatch(waitBeforeReconciling, { errors: ["States.ALL"], resultPath: "$.last_error" });
  return book.next(onBookingStatus(scope, "Booking outcome", booked, failed, waitBeforeReconciling));
};

/**
 * The scheduled sweep: finds orders whose outcome is uncertain (PENDING, PENDING_RECONCILE,
 * ISSUING older than a threshold) and settles each with DRCT. One failure leaves that order
 * for the next run and does not stop the others.
 */
export const reconciliationDefinition = (scope: Construct, functions: Record<TaskKey, IFunction>): IChainable => {
  // The run's own ids: a sweep that finds an earlier one still running takes no orders.
  const find = task(scope, "Find uncertain orders", functions.findUncertainOrders, "$.found", {
    retryTransient: false,
    payload: TaskInput.fromObject({
      input: JsonPath.entirePayload,
      execution_arn: JsonPath.executionId,
      state_machine_arn: JsonPath.stateMachineId,
    }),
  });
  // No retry within the run (a failed find or reconcile is the next run's, a minute later):
  // each order's share of the run stays one task timeout, so the run fits its budget.
  const reconcileOne = task(scope, "Reconcile order with DRCT", functions.reconcileOrder, JsonPath.DISCARD, {
    retryTransient: false,
  });
  reconcileOne.addCatch(new Pass(scope, "Leave it for the next run"), {
    errors: ["States.ALL"],
    resultPath: JsonPath.DISCARD,
  });
  const each = new MapState(scope, "Reconcile each order", {
    itemsPath: "$.found.orders",
    maxConcurrency: SWEEP.concurrency,
    resultPath: JsonPath.DISCARD,
  });
  each.itemProcessor(reconcileOne);
  return find.next(each).next(new Succeed(scope, "Sweep done"));
};
