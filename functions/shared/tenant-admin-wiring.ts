/** The composition root of tenant administration (/ops/api/tenants…). */
import { apiGatewayKeys } from "../adapters/apigateway/api-keys";
import { webhookSecretStore } from "../adapters/callbacks/webhook-secrets";
import type { TenantAdminDeps } from "../use-cases/administer-tenants";
import { once } from "./once";
import { dynamoTenantStore } from "./tenant-store-wiring";

export const tenantAdmin = /* @__PURE__ */ once(
  (): TenantAdminDeps => ({
    tenants: dynamoTenantStore(),
    apiKeys: apiGatewayKeys(),
    webhookSecrets: webhookSecretStore(),
    now: () => new Date(),
  }),
);
