/**
 * The composition root of the operators' functions (/ops/api): each handler takes only the
 * reads it uses, so its bundle — and so the access the deploy tests demand of it — holds no more.
 * Workflows (Step Functions) and dead letters (SQS) have their own roots
 * (ops-workflow-wiring.ts, ops-dead-letter-wiring.ts): DynamoDB reads load no other client.
 */
import {
  auditOfOrder,
  deliveriesOfOrder,
  drctCallsOf,
  dynamoSupplierReads,
  findOrderForOps,
  ordersByStatus,
} from "../adapters/dynamodb/ops-reads";
import { daysBetween, type OpsOrderReads } from "../use-cases/ops";
import { once } from "./once";

export const orderBoardReads = (): Pick<OpsOrderReads, "byStatus"> => ({ byStatus: ordersByStatus });

export const orderTimelineReads = (): OpsOrderReads => ({
  byStatus: ordersByStatus,
  find: findOrderForOps,
  audit: auditOfOrder,
  drctCalls: drctCallsOf(daysBetween),
});

export const opsDeliveries = () => ({ listForOrder: deliveriesOfOrder });
export const opsSupplierReads = /* @__PURE__ */ once(dynamoSupplierReads);
