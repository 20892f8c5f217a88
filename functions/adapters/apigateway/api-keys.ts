import { randomBytes } from "node:crypto";
import {
  APIGatewayClient,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteUsagePlanKeyCommand,
  GetUsagePlansCommand,
  NotFoundException,
} from "@aws-sdk/client-api-gateway";
import { ENV } from "../../../lib/resources";
import type { Plan } from "../../domain/tenant";
import { config, requiredEnv } from "../../shared/config";
import type { ApiKeyGateway } from "../../use-cases/administer-tenants";

let client: APIGatewayClient | undefined;
/** Created on first use (AWS_ENDPOINT_URL_API_GATEWAY is the local stand-in's control plane). */
const apiGateway = (): APIGatewayClient => {
  client ??= new APIGatewayClient({ maxAttempts: 3 });
  return client;
};

const usagePlanIds = new Map<string, string>();

/**
 * The id of a plan's usage plan, found by the name CDK gives it (USAGE_PLAN_<PLAN>) once per
 * execution environment.
 */
const usagePlanId = async (plan: Plan): Promise<string> => {
  const name = plan === "premium" ? requiredEnv(ENV.usagePlanPremium) : requiredEnv(ENV.usagePlanStandard);
  const known = usagePlanIds.get(name);
  if (known !== undefined) return known;
  let position: string | undefined;
  do {
    const page = await apiGateway().send(new GetUsagePlansCommand({ limit: 500, position }));
    for (const usagePlan of page.items ?? []) {
      if (usagePlan.name !== undefined && usagePlan.id !== undefined) usagePlanIds.set(usagePlan.name, usagePlan.id);
    }
    position = page.position;
  } while (position !== undefined && !usagePlanIds.has(name));
  const id = usagePlanIds.get(name);
  if (id === undefined) throw new Error(`no usage plan named ${name}`);
  return id;
};

const ignoreNotFound = (error: unknown): void => {
  if (!(error instanceof NotFoundException)) throw error;
};

/** `avf_` and 32 random bytes: what the agency sends as x-api-key (API Gateway wants 20+ characters). */
const newKeyValue = () => `avf_${randomBytes(32).toString("base64url")}`;

/** Tenants' keys as API Gateway API keys, each on its plan's usage plan. */
export const apiGatewayKeys = (): ApiKeyGateway => ({
  async create({ tenantId, plan }) {
    const value = newKeyValue();
    const created = await apiGateway().send(
      new CreateApiKeyCommand({
        name: `aviaframe-${config().stage}-${tenantId}-${Date.now().toString(36)}`,
        description: `API key of tenant ${tenantId}`,
        enabled: true,
        value,
      }),
    );
    const keyId = created.id;
    if (keyId === undefined) throw new Error("API Gateway answered no key id");
    try {
      await apiGateway().send(
        new CreateUsagePlanKeyCommand({ usagePlanId: await usagePlanId(plan), keyId, keyType: "API_KEY" }),
      );
    } catch (error) {
      await apiGateway()
        .send(new DeleteApiKeyCommand({ apiKey: keyId }))
        .catch(() => undefined);
      throw error;
    }
    return { keyId, value };
  },

  async revoke({ keyId, plan }) {
    await apiGateway()
      .send(new DeleteUsagePlanKeyCommand({ usagePlanId: await usagePlanId(plan), keyId }))
      .catch(ignoreNotFound);
    await apiGateway()
      .send(new DeleteApiKeyCommand({ apiKey: keyId }))
      .catch(ignoreNotFound);
  },

  async move({ keyId, from, to }) {
    // Both usage plans cover the same stage, and a key may be on only one plan per stage.
    await apiGateway()
      .send(new DeleteUsagePlanKeyCommand({ usagePlanId: await usagePlanId(from), keyId }))
      .catch(ignoreNotFound);
    await apiGateway().send(
      new CreateUsagePlanKeyCommand({ usagePlanId: await usagePlanId(to), keyId, keyType: "API_KEY" }),
    );
  },
});
