import { buildOpenApiDocument } from "../../api/openapi";
import { REFERENCE_PAGE_CSP, renderReferencePage } from "../../api/reference-page";
import { publicRoute } from "../../shared/http";

let page: string | undefined;

export const handler = publicRoute({
  handle: async () => {
    page ??= renderReferencePage(buildOpenApiDocument());
    return {
      status: 200,
      text: page,
      headers: {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "public, max-age=300",
        "content-security-policy": REFERENCE_PAGE_CSP,
        "x-frame-options": "DENY",
      },
    };
  },
});
