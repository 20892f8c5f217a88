/**
 * The composition root of the operators' functions (/ops/api): each handler takes only the
 * reads it uses, so its bundle — and so the access the deploy tests demand of it — holds no more.
 */
import {
  auditOfOrder,
  deliveriesOfOrder,
  drctCallsOf,
  dynamoSupplierReads,
  findOrderForOps,
  ordersByStatus,
} from "../adapters/dynamodb/ops-reads";
import { inspectedWorkflow, stepFunctionsOpsWorkflows } from "../adapters/sfn/executions";
import { sqsDeadLetterQueues } from "../adapters/sqs/dead-letters";
import { daysBetween, type OpsOrderReads } from "../use-cases/ops";
import { once } from "./wiring";

export const orderBoardReads = (): Pick<OpsOrderReads, "byStatus"> => ({ byStatus: ordersByStatus });

export const orderTimelineReads = (): OpsOrderReads => ({
  byStatus: ordersByStatus,
  find: findOrderForOps,
  audit: auditOfOrder,
  drctCalls: drctCallsOf(daysBetween),
});

export const opsDeliveries = () => ({ listForOrder: deliveriesOfOrder });
export const opsSupplierReads = /* @__PURE__ */ once(dynamoSupplierReads);
export const deadLetterQueues = /* @__PURE__ */ once(() =>
  sqsDeadLetterQueues(["ticketing", "callbacks", "scheduleChanges"]),
);
export const orderWorkflows = /* @__PURE__ */ once(() =>
  stepFunctionsOpsWorkflows([inspectedWorkflow("orderLifecycle")]),
);
export const allWorkflows = /* @__PURE__ */ once(() =>
  stepFunctionsOpsWorkflows([inspectedWorkflow("orderLifecycle"), inspectedWorkflow("reconciliation")]),
);
