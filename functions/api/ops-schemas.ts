/** Schemas of the operators' API (/ops/api, CONTRACT.md §6): not in the agencies' OpenAPI document. */
import * as z from "zod";
import { REFUSAL_REASONS, SCOPES } from "../domain/access";

const TenantId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, "lower-case letters, digits and dashes, 2–63 characters");

const Markup = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("percent"), basis_points: z.int().min(0).max(10_000) }),
  z.strictObject({ type: z.literal("fixed"), amount: z.string().regex(/^\d{1,9}(\.\d{1,4})?$/, "e.g. 5.00") }),
]);

const Plan = z.enum(["standard", "premium"]);
const IpAllowlist = z.array(z.string().max(64)).max(50);
const Scopes = z.array(z.enum(SCOPES)).min(1).max(SCOPES.length);

export const CreateTenantRequest = z.strictObject({
  tenant_id: TenantId,
  name: z.string().min(1).max(200).optional(),
  plan: Plan,
  markup: Markup,
  ip_allowlist: IpAllowlist.optional(),
  default_currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional(),
});

export const UpdateTenantRequest = z
  .strictObject({
    name: z.string().min(1).max(200).optional(),
    plan: Plan.optional(),
    markup: Markup.optional(),
    ip_allowlist: IpAllowlist.optional(),
    status: z.enum(["active", "suspended"]).optional(),
  })
  .refine((body) => Object.keys(body).length > 0, "send at least one field to change");

export const CreateApiKeyRequest = z.strictObject({ scopes: Scopes });

export const TenantPath = z.object({ tenantId: TenantId });
export const ApiKeyPath = z.object({ tenantId: TenantId, keyId: z.string().min(1).max(128) });

export const AuthEventQuery = z.strictObject({
  tenant_id: TenantId.optional(),
  reason: z.enum(REFUSAL_REASONS).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(400).optional(),
});
