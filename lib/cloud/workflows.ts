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
  Wait,
  WaitTime,
} from "aws-cdk-lib/aws-stepfunctions";
import { LambdaInvoke } from "aws-cdk-lib/aws-stepfunctions-tasks";
import type { Construct } from "constructs";
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

const task = (scope: Construct, name: string, fn: IFunction, resultPath: string) => {
  const invoke = new LambdaInvoke(scope, name, {
    lambdaFunction: fn,
    payloadResponseOnly: true,
    resultPath,
  });
  invoke.addRetry({ errors: LAMBDA_TRANSIENT, interval: Duration.seconds(2), maxAttempts: 3, backoffRate: 2 });
  return invoke;
};

/**
 * One execution per order, named after it. Input: {order_id, tenant_id, reconcile_after_s}.
 * Booking either lands (BOOKED, FAILED) or is uncertain (PENDING_RECONCILE, or the task
 * itself failed): then it waits and asks DRCT until the order is settled. The reconcile task
 * answers FAILED once the grace period is over, so the loop ends.
 */
export const orderLifecycleDefinition = (scope: Construct, functions: Record<TaskKey, IFunction>): IChainable => {
  const booked = new Succeed(scope, "Booked: awaiting issue request");
  const failed = new Fail(scope, "Booking failed", {
    error: "BookingFailed",
    cause: "DRCT refused or never confirmed the booking",
  });
  const waitBeforeReconciling = new Wait(scope, "Wait before reconciling", {
    time: WaitTime.secondsPath("$.reconcile_after_s"),
  });
  const reconcile = task(scope, "Reconcile booking with DRCT", functions.reconcileOrder, "$.booking");
  reconcile.addCatch(waitBeforeReconciling, { errors: ["States.ALL"], resultPath: "$.last_error" });
  const settled = new Choice(scope, "Booking settled?")
    .when(Condition.stringEquals("$.booking.status", "BOOKED"), booked)
    .when(Condition.stringEquals("$.booking.status", "FAILED"), failed)
    .otherwise(waitBeforeReconciling);
  waitBeforeReconciling.next(reconcile).next(settled);

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
  return book.next(
    new Choice(scope, "Booking outcome")
      .when(Condition.stringEquals("$.booking.status", "BOOKED"), booked)
      .when(Condition.stringEquals("$.booking.status", "FAILED"), failed)
      .otherwise(waitBeforeReconciling),
  );
};

/**
 * The scheduled sweep: finds orders whose outcome is uncertain (PENDING, PENDING_RECONCILE,
 * ISSUING older than a threshold) and settles each with DRCT. One failure leaves that order
 * for the next run and does not stop the others.
 */
export const reconciliationDefinition = (scope: Construct, functions: Record<TaskKey, IFunction>): IChainable => {
  const find = task(scope, "Find uncertain orders", functions.findUncertainOrders, "$.found");
  const reconcileOne = task(scope, "Reconcile order with DRCT", functions.reconcileOrder, JsonPath.DISCARD);
  reconcileOne.addCatch(new Pass(scope, "Leave it for the next run"), {
    errors: ["States.ALL"],
    resultPath: JsonPath.DISCARD,
  });
  const each = new MapState(scope, "Reconcile each order", {
    itemsPath: "$.found.orders",
    maxConcurrency: 4,
    resultPath: JsonPath.DISCARD,
  });
  each.itemProcessor(reconcileOne);
  return find.next(each).next(new Succeed(scope, "Sweep done"));
};
