import { type IChainable, Pass, Succeed } from "aws-cdk-lib/aws-stepfunctions";
import type { Construct } from "constructs";

/**
 * The order lifecycle, defined once as a CDK chain: the stateless stack deploys it, and the
 * local runtime executes the ASL rendered from the same chain.
 *
 * Skeleton: the booking, ticketing and reconciliation tasks join it with the orders work
 * (issue 4); until then no route starts it.
 */
export const orderLifecycleDefinition = (scope: Construct): IChainable =>
  new Pass(scope, "Order accepted", { comment: "An order row exists as PENDING before DRCT is called." }).next(
    new Succeed(scope, "Order settled"),
  );
