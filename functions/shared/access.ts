import type { APIGatewayProxyEvent } from "aws-lambda";
import { routeOf } from "../../lib/resources";
import { type NewAuthEvent, recordAuthEvent } from "../adapters/dynamodb/auth-events";
import { resolveAccessByApiKeyId } from "../adapters/dynamodb/tenant-directory";
import { decideAccess, type RefusalReason } from "../domain/access";
import { AvfError } from "../domain/errors";
import type { Tenant } from "../domain/tenant";
import { countAuthRefusal } from "./auth-metrics";
import { correlationIdOf } from "./correlation";
import { logger } from "./powertools";

/** The answer a caller gets for each refusal: it learns which rule refused it, never more. */
const refusalError = (reason: RefusalReason, detail: { requiredScope?: string }): AvfError => {
  switch (reason) {
    case "ip_not_allowed":
      return new AvfError("AVF_403_IP_NOT_ALLOWED", "this API key may not be used from your address");
    case "scope_required":
      return new AvfError("AVF_403_SCOPE_REQUIRED", `this API key lacks the scope ${detail.requiredScope ?? "?"}`, {
        details: { required_scope: detail.requiredScope },
      });
    case "operator_auth_failed":
      return new AvfError("AVF_401_UNAUTHORIZED", "operators' routes take operators' credentials");
    default:
      return new AvfError("AVF_401_UNAUTHORIZED", "send a valid API key in the x-api-key header");
  }
};

const routeName = (event: APIGatewayProxyEvent) => `${event.httpMethod} ${event.resource}`;

/**
 * Records the refusal (AuthEvents table, and the AuthRefusals metric operators alarm on), then
 * answers it. A failed record is logged, and the caller is refused all the same.
 */
export const refuse = async (
  event: APIGatewayProxyEvent,
  refusal: Omit<NewAuthEvent, "route" | "sourceIp" | "userAgent" | "correlationId">,
  detail: { requiredScope?: string } = {},
): Promise<never> => {
  const identity = event.requestContext?.identity;
  const headers = Object.fromEntries(
    Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value ?? ""]),
  );
  const record: NewAuthEvent = {
    ...refusal,
    route: routeName(event),
    sourceIp: identity?.sourceIp ?? undefined,
    userAgent: identity?.userAgent ?? headers["user-agent"],
    correlationId: correlationIdOf(headers),
  };
  countAuthRefusal();
  logger.warn("authentication refused", {
    reason: record.reason,
    tenant_id: record.tenantId,
    key_id: record.keyId,
    source_ip: record.sourceIp,
    route: record.route,
  });
  await recordAuthEvent(record).catch((error: unknown) => logger.error("could not record the AuthEvent", { error }));
  throw refusalError(refusal.reason, detail);
};

/** The tenant behind the request's API key, once the key, tenant, address and scope allow it. */
export const authenticateTenant = async (event: APIGatewayProxyEvent): Promise<{ tenant: Tenant }> => {
  const identity = event.requestContext?.identity;
  const apiKeyId = identity?.apiKeyId ?? undefined;
  if (apiKeyId === undefined || apiKeyId === "") return refuse(event, { reason: "missing_key" });
  const route = routeOf(event.httpMethod, event.resource);
  // A route without a declared scope is a programming error: refused, never open.
  const requiredScope = route?.auth === "api-key" ? route.scope : undefined;
  const { key, tenant } = await resolveAccessByApiKeyId(apiKeyId);
  if (requiredScope === undefined) return refuse(event, { reason: "scope_required", keyId: apiKeyId });
  const decision = decideAccess({ key, tenant, sourceIp: identity?.sourceIp ?? undefined, requiredScope });
  if (!decision.allowed || tenant === undefined) {
    const reason = decision.allowed ? "unknown_key" : decision.reason;
    const tenantId = decision.allowed ? undefined : decision.tenantId;
    return refuse(
      event,
      { reason, keyId: apiKeyId, ...(tenantId === undefined ? {} : { tenantId }) },
      { requiredScope },
    );
  }
  return { tenant };
};

/**
 * The operator behind an /ops/api request: API Gateway's IAM authorization (or, locally, its
 * stand-in checking the ops key) names the caller in requestContext.identity. An agency's
 * API key never makes one.
 */
export const authenticateOperator = async (event: APIGatewayProxyEvent): Promise<string> => {
  const identity = event.requestContext?.identity;
  const operator = identity?.userArn ?? identity?.caller ?? undefined;
  if (operator === undefined || operator === "" || (identity?.apiKeyId ?? "") !== "") {
    return refuse(event, { reason: "operator_auth_failed" });
  }
  return operator;
};
