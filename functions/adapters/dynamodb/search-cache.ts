import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { Offer } from "../../domain/offer";
import { tableName } from "../../shared/config";
import { ExpiringLru } from "../../shared/expiring-lru";
import type { CachedSearch, SearchCache } from "../../use-cases/ports";
import { dynamo, epochSeconds } from "./client";

/** An offer this close to expiry is not worth showing: the agency could not book it in time. */
export const MIN_REMAINING_VALIDITY_MS = 60_000;

const cacheKey = (tenantId: string, key: string) => ({ pk: `TENANT#${tenantId}`, sk: `SEARCH#${key}` });

/** Entries a warm environment remembers having seen, at most (the least recently used is forgotten first). */
const REMEMBERED_ENTRIES = 1_000;

/** Until when each entry this environment wrote or read is valid: a hint of a hit, never an answer. */
class SeenEntries {
  private readonly validUntil = new ExpiringLru<true>(REMEMBERED_ENTRIES);

  note(tenantId: string, key: string, validUntil: number | undefined): void {
    const id = `${tenantId}#${key}`;
    if (validUntil === undefined) this.validUntil.delete(id);
    else this.validUntil.set(id, true, validUntil);
  }

  validAt(tenantId: string, key: string, now: number): boolean {
    return this.validUntil.get(`${tenantId}#${key}`, now) !== undefined;
  }
}

/**
 * Tenant-scoped search results in the Offers table. An entry lives `ttlSeconds` at most and
 * never beyond the first offer to expire (less a minute); a read re-checks every offer, since
 * DynamoDB TTL deletes late (and dynalite never).
 */
export const dynamoSearchCache = (ttlSeconds: number): SearchCache => {
  const seen = new SeenEntries();
  return {
    get: async (tenantId: string, key: string, now: number): Promise<CachedSearch | undefined> => {
      const result = await dynamo().send(
        new GetCommand({ TableName: tableName("offers"), Key: cacheKey(tenantId, key) }),
      );
      const item = result.Item;
      if (item === undefined || typeof item.valid_until_ms !== "number" || item.valid_until_ms <= now) {
        seen.note(tenantId, key, undefined);
        return undefined;
      }
      const offers = (JSON.parse(String(item.offers)) as Offer[]).filter(
        (offer) => Date.parse(offer.valid_until) - MIN_REMAINING_VALIDITY_MS > now,
      );
      seen.note(tenantId, key, offers.length === 0 ? undefined : item.valid_until_ms);
      return offers.length === 0 ? undefined : { offers, cachedAt: Number(item.cached_at) };
    },
    likelyHit: (tenantId: string, key: string, now: number): boolean => seen.validAt(tenantId, key, now),
    put: async (tenantId: string, key: string, offers: readonly Offer[], now: number): Promise<void> => {
      if (offers.length === 0 || ttlSeconds <= 0) return;
      const firstExpiry = Math.min(...offers.map((offer) => Date.parse(offer.valid_until)));
      const validUntil = Math.min(now + ttlSeconds * 1000, firstExpiry - MIN_REMAINING_VALIDITY_MS);
      if (validUntil <= now) return;
      await dynamo().send(
        new PutCommand({
          TableName: tableName("offers"),
          Item: {
            ...cacheKey(tenantId, key),
            offers: JSON.stringify(offers),
            cached_at: now,
            valid_until_ms: validUntil,
            expires_at: epochSeconds(validUntil) + 60,
          },
        }),
      );
      seen.note(tenantId, key, validUntil);
    },
  };
};
