import { listAuthEvents } from "../../adapters/dynamodb/auth-events";
import { AuthEventQuery } from "../../api/ops-schemas";
import { operatorRoute, parseQuery } from "../../shared/http";

export const handler = operatorRoute({
  handle: async ({ query }) => {
    const { tenant_id, reason, limit, cursor } = parseQuery(AuthEventQuery, query);
    const page = await listAuthEvents({ tenantId: tenant_id, reason, limit, cursor });
    return { status: 200, body: { auth_events: page.events, next_cursor: page.nextCursor } };
  },
});
