import { OPS_CONSOLE_CSP, OPS_CONSOLE_PAGE } from "../../api/ops-console-page";
import { publicRoute } from "../../shared/http";

/** The console's page: no data in it (that comes from /ops/api, with the ops key). */
export const handler = publicRoute({
  handle: async () => ({
    status: 200,
    text: OPS_CONSOLE_PAGE,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "content-security-policy": OPS_CONSOLE_CSP,
      "x-frame-options": "DENY",
      "referrer-policy": "no-referrer",
    },
  }),
});
