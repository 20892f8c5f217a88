import { QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { tableName } from "../../shared/config";
import type { ScheduleWatch } from "../../use-cases/schedule-watch";
import { dynamo, unlessConditionFailed } from "./client";
import { orderKey, SCHEDULE_WATCH } from "./order-repository";

/**
 * The orders whose flights the sweep re-reads at DRCT, on the orders table's sparse
 * `by_schedule_check` index (written by the order repository when an order becomes BOOKED
 * or ISSUED), each due at `schedule_check_due`; and DRCT's booking reference → our order.
 */
export const dynamoScheduleWatch = (): ScheduleWatch => ({
  async due(now, limit) {
    const result = await dynamo().send(
      new QueryCommand({
        TableName: tableName("orders"),
        IndexName: "by_schedule_check",
        KeyConditionExpression: "schedule_watch = :watch AND schedule_check_due <= :now",
        ExpressionAttributeValues: { ":watch": SCHEDULE_WATCH, ":now": now },
        Limit: limit,
      }),
    );
    return (result.Items ?? []).map((item) => ({ tenantId: String(item.tenant_id), orderId: String(item.order_id) }));
  },

  async checked(tenantId, orderId, nextDue) {
    await dynamo()
      .send(
        new UpdateCommand({
          TableName: tableName("orders"),
          Key: orderKey(tenantId, orderId),
          UpdateExpression:
            nextDue === undefined ? "REMOVE schedule_watch, schedule_check_due" : "SET schedule_check_due = :due",
          ConditionExpression: "attribute_exists(schedule_watch)",
          ...(nextDue === undefined ? {} : { ExpressionAttributeValues: { ":due": nextDue } }),
        }),
      )
      // The order left the watch meanwhile (cancelled): nothing to reschedule.
      .catch(unlessConditionFailed);
  },

  async findByDrctOrderId(drctOrderId) {
    const result = await dynamo().send(
      new QueryCommand({
        TableName: tableName("orders"),
        IndexName: "by_drct_order",
        KeyConditionExpression: "drct_order_id = :id",
        ExpressionAttributeValues: { ":id": drctOrderId },
        Limit: 1,
      }),
    );
    const item = result.Items?.[0];
    return item === undefined ? undefined : { tenantId: String(item.tenant_id), orderId: String(item.order_id) };
  },
});
