/**
 * GET /docs: the human reference, Swagger UI rendering /openapi.json. Everything is in the
 * one page (Swagger UI's script and styles from swagger-ui-dist, the document itself), so it
 * works offline and behind any stage prefix, and its content security policy lets it talk to
 * nothing but this gateway ("Try it out").
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, join } from "node:path";
import { ROUTES } from "../../lib/resources";

/** Swagger UI's script and styles; the CDK app ships them next to the Lambda bundle (bundledFiles). */
const [SCRIPT, STYLES] = ROUTES.find((route) => route.operationId === "docs")?.bundledFiles ?? [];

/**
 * Next to the bundle in Lambda (its task root); from node_modules locally, resolved from the
 * project root the local runtime and the tests run in. (No import.meta: the Lambda bundle is
 * CommonJS.)
 */
const readAsset = (asset: string): string => {
  const taskRoot = process.env.LAMBDA_TASK_ROOT;
  const bundled = taskRoot === undefined ? undefined : join(taskRoot, basename(asset));
  return readFileSync(
    bundled !== undefined && existsSync(bundled)
      ? bundled
      : createRequire(join(process.cwd(), "package.json")).resolve(asset),
    "utf8",
  );
};

/** Inline <script> and <style> content must not close its element early. */
const inline = (text: string) => text.replace(/<\/(script|style)/gi, "<\\/$1");

export const REFERENCE_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'unsafe-inline'",
  "style-src 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

export const renderReferencePage = (document: { info: { title: string } }): string => {
  if (SCRIPT === undefined || STYLES === undefined) throw new Error("the docs route lists no Swagger UI files");
  const [script, styles] = [readAsset(SCRIPT), readAsset(STYLES)];
  // JSON inside <script>: `<` escaped so no string in the document can end the element.
  const spec = JSON.stringify(document).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${document.info.title.replace(/[<&]/g, "")} — API reference</title>
<style>${inline(styles)}</style>
<style>body{margin:0} .swagger-ui .topbar{display:none}</style>
</head>
<body>
<div id="reference"></div>
<script>${inline(script)}</script>
<script>
const spec = ${spec};
// "Try it out" first goes to the gateway that served this page, whatever its host or stage.
spec.servers = [{ url: new URL(".", location.href).href.slice(0, -1), description: "This gateway" }, ...spec.servers];
window.ui = SwaggerUIBundle({
  spec,
  dom_id: "#reference",
  deepLinking: true,
  docExpansion: "list",
  defaultModelsExpandDepth: 0,
  displayOperationId: true,
  displayRequestDuration: true,
  tryItOutEnabled: false,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
});
</script>
</body>
</html>
`;
};
