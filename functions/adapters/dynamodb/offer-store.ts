import { BatchWriteCommand, type BatchWriteCommandOutput } from "@aws-sdk/lib-dynamodb";
import { tableName } from "../../shared/config";
import type { OfferStore, RememberedOffer } from "../../use-cases/ports";
import { dynamo, epochSeconds } from "./client";

const BATCH_LIMIT = 25;
const MAX_UNPROCESSED_ROUNDS = 5;

export const offerKey = (tenantId: string, offerId: string) => ({ pk: `TENANT#${tenantId}`, sk: `OFFER#${offerId}` });

export const dynamoOfferStore = (): OfferStore => ({
  remember: async (tenantId: string, offers: readonly RememberedOffer[]): Promise<void> => {
    const table = tableName("offers");
    const requests = offers.map(({ offer, supplierOfferId }) => ({
      PutRequest: {
        Item: {
          ...offerKey(tenantId, offer.id),
          tenant_id: tenantId,
          supplier_offer_id: supplierOfferId,
          offer,
          // Kept a day past validity so a late order can still be told "expired", not "unknown".
          expires_at: epochSeconds(Date.parse(offer.valid_until)) + 86_400,
        },
      },
    }));
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
});
