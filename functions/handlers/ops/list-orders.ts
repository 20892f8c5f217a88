import * as z from "zod";
import { DEFAULT_STUCK_AFTER_MIN } from "../../domain/ops";
import { ORDER_STATUSES } from "../../domain/order";
import { operatorRoute, parseQuery } from "../../shared/http";
import { orderBoardReads } from "../../shared/ops-wiring";
import { listOrdersForOps } from "../../use-cases/ops";

const Query = z.object({
  status: z.enum(ORDER_STATUSES).optional(),
  tenant_id: z.string().min(1).max(64).optional(),
  stuck_after_min: z.coerce.number().int().min(1).max(10_080).default(DEFAULT_STUCK_AFTER_MIN),
});

export const handler = operatorRoute({
  handle: async ({ query }) => {
    const { status, tenant_id, stuck_after_min } = parseQuery(Query, query);
    const board = await listOrdersForOps(
      orderBoardReads(),
      { status, tenantId: tenant_id, stuckAfterMin: stuck_after_min },
      Date.now(),
    );
    return { status: 200, body: { ...board, stuck_after_min } };
  },
});
