import * as z from "zod";
import { operatorRoute, parseQuery } from "../../shared/http";
import { allWorkflows } from "../../shared/ops-workflow-wiring";

const Query = z.object({
  status: z.enum(["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"]).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const handler = operatorRoute({
  handle: async ({ query }) => {
    const { status, limit } = parseQuery(Query, query);
    return { status: 200, body: { executions: await allWorkflows().list(status, limit) } };
  },
});
