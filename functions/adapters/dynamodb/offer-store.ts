import { BatchWriteCommand, type BatchWriteCommandOutput, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { Markup, Offer, Passengers, SupplierPrice } from "../../domain/offer";
import { tableName } from "../../shared/config";
import type { OfferStore, RememberedOffer } from "../../use-cases/ports";
import { dynamo, epochSeconds } from "./client";

const BATCH_LIMIT = 25;
const MAX_UNPROCESSED_ROUNDS = 5;

export const offerKey = (tenantId: string, offerId: string) => ({ pk: `TENANT#${tenantId}`, sk: `OFFER#${offerId}` });

const toItem = (tenantId: string, remembered: RememberedOffer, pricedAt?: string) => ({
  ...offerKey(tenantId, remembered.offer.id),
  tenant_id: tenantId,
  supplier_offer_id: remembered.supplierOfferId,
  supplier_price: remembered.supplierPrice,
  markups: remembered.markups,
  passengers: remembered.passengers,
  offer: remembered.offer,
  priced_at: pricedAt,
  // Kept a day past validity so a late order can still be told "expired", not "unknown".
  expires_at: epochSeconds(Date.parse(remembered.offer.valid_until)) + 86_400,
});

export const dynamoOfferStore = (): OfferStore => ({
  remember: async (tenantId: string, offers: readonly RememberedOffer[]): Promise<void> => {
    const table = tableName("offers");
    const requests = offers.map((remembered) => ({ PutRequest: { Item: toItem(tenantId, remembered) } }));
    for (let start = 0; start < requests.length; start += BATCH_LIMIT) {
      let pending: BatchWriteCommandOutput["UnprocessedItems"] = {
        [table]: requests.slice(start, start + BATCH_LIMIT),
      };
      for (let round = 0; pending && (pending[table]?.length ?? 0) > 0; round += 1) {
        if (round === MAX_UNPROCESSED_ROUNDS) throw new Error("DynamoDB kept throttling the offer batch");
        if (round > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** round));
        const result: BatchWriteCommandOutput = await dynamo().send(new BatchWriteCommand({ RequestItems: pending }));
        pending = result.UnprocessedItems;
      }
    }
  },

  find: async (tenantId: string, offerId: string): Promise<RememberedOffer | undefined> => {
    const result = await dynamo().send(
      new GetCommand({ TableName: tableName("offers"), Key: offerKey(tenantId, offerId) }),
    );
    const item = result.Item;
    if (item === undefined) return undefined;
    return {
      offer: item.offer as Offer,
      supplierOfferId: String(item.supplier_offer_id),
      supplierPrice: item.supplier_price as SupplierPrice,
      markups: item.markups as { platform: Markup; tenant: Markup },
      passengers: item.passengers as Passengers,
      pricedAt: typeof item.priced_at === "string" ? item.priced_at : undefined,
    };
  },

  confirmPrice: async (tenantId: string, offer: RememberedOffer, pricedAt: string): Promise<void> => {
    await dynamo().send(new PutCommand({ TableName: tableName("offers"), Item: toItem(tenantId, offer, pricedAt) }));
  },
});
