import { TestCallbackRequest } from "../../api/feed-schemas";
import { testCallbackDeps } from "../../shared/callback-delivery-wiring";
import { tenantRoute } from "../../shared/http";
import { sendTestPing } from "../../use-cases/test-callback";

export const handler = tenantRoute({
  body: TestCallbackRequest,
  handle: async ({ body, tenant, correlationId }) => ({
    status: 200,
    body: { delivery: await sendTestPing(testCallbackDeps(), tenant.tenantId, body.url, correlationId) },
  }),
});
