/**
 * The composition root: the one place that picks AWS adapters for the use cases' ports.
 * Created on first use, once per execution environment, and shared by every handler.
 */
import { DrctClient } from "../adapters/drct/client";
import { recordDrctCall } from "../adapters/dynamodb/drct-request-log";
import { dynamoOfferStore } from "../adapters/dynamodb/offer-store";
import { dynamoSearchPacer } from "../adapters/dynamodb/search-pacer";
import { dynamoUsageMeter } from "../adapters/dynamodb/usage-meter";
import { readSecret } from "../adapters/secrets/secret-store";
import type { Markup } from "../domain/offer";
import type { SearchOffersDeps } from "../use-cases/search-offers";
import { config } from "./config";
import { logger } from "./powertools";

const once = <T>(create: () => T): (() => T) => {
  let value: T | undefined;
  return () => {
    value ??= create();
    return value;
  };
};

export const platformMarkup = (): Markup => ({ type: "percent", basis_points: config().platformMarkupBps });

export const drctClient = once(
  () =>
    new DrctClient({
      baseUrl: config().drctBaseUrl,
      token: () => readSecret("drctToken"),
      timeoutMs: config().drctTimeoutMs,
      // The request log must never fail a booking: a lost log line is logged instead.
      onCall: (record) =>
        recordDrctCall(record).catch((error: unknown) => logger.warn("DRCT request log write failed", { error })),
    }),
);

export const usageMeter = once(dynamoUsageMeter);

export const searchOffersDeps = once(
  (): SearchOffersDeps => ({
    supplier: drctClient(),
    pacer: dynamoSearchPacer(config().drctSearchIntervalMs),
    offers: dynamoOfferStore(),
    usage: usageMeter(),
    platformMarkup: platformMarkup(),
    now: () => new Date(),
  }),
);
