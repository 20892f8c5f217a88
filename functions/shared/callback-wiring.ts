/**
 * The composition root of partner callbacks' deliveries and of the callback URL rules: what
 * lists deliveries and checks a callback URL (order create, the test callback) needs no AWS
 * client but DynamoDB. Queueing deliveries is callback-queue-wiring.ts; sending them,
 * callback-delivery-wiring.ts.
 */
import { checkCallbackUrl, resolveCallbackHost } from "../adapters/callbacks/url-policy";
import { dynamoDeliveryStore } from "../adapters/dynamodb/delivery-store";
import { config } from "./config";
import { once } from "./once";

export const deliveryStore = /* @__PURE__ */ once(dynamoDeliveryStore);

/** The callback URL rules before any send: syntax, then where the host resolves (CONTRACT.md §4). */
export const checkCallbackUrlNow = async (raw: string): Promise<string | undefined> => {
  const allowPrivate = config().callbackAllowPrivate;
  const syntax = checkCallbackUrl(raw, { allowPrivate });
  if (!syntax.ok) return syntax.reason;
  const resolved = await resolveCallbackHost(syntax.url, { allowPrivate });
  return resolved.ok ? undefined : resolved.reason;
};
