import { UsageQuery } from "../../api/schemas";
import { parseQuery, tenantRoute } from "../../shared/http";
import { usageMeter } from "../../shared/usage-wiring";
import { getUsage } from "../../use-cases/get-usage";

export const handler = tenantRoute({
  handle: async ({ query, tenant }) => {
    const period = parseQuery(UsageQuery, query);
    return { status: 200, body: await getUsage(usageMeter(), tenant.tenantId, period, new Date()) };
  },
});
