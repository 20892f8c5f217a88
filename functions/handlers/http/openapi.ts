import { buildOpenApiDocument } from "../../api/openapi";
import { publicRoute } from "../../shared/http";

let document: unknown;

export const handler = publicRoute({
  handle: async () => {
    document ??= buildOpenApiDocument();
    return { status: 200, body: document, headers: { "cache-control": "public, max-age=300" } };
  },
});
