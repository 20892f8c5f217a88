import { BatchWriteCommand, GetCommand } from "@aws-sdk/lib-dynamodb";
import type { ChangeOffer } from "../../domain/change";
import { tableName } from "../../shared/config";
import type { ChangeOfferStore } from "../../use-cases/ports";
import { dynamo, epochSeconds } from "./client";

const BATCH_LIMIT = 25;

const changeOfferKey = (tenantId: string, changeOfferId: string) => ({
  pk: `TENANT#${tenantId}`,
  sk: `CHANGE#${changeOfferId}`,
});

/** Change offers in the Offers table beside the tenant's offers, gone (TTL) a day after validity. */
export const dynamoChangeOfferStore = (): ChangeOfferStore => ({
  remember: async (offers: readonly ChangeOffer[]): Promise<void> => {
    for (let start = 0; start < offers.length; start += BATCH_LIMIT) {
      await dynamo().send(
        new BatchWriteCommand({
          RequestItems: {
            [tableName("offers")]: offers.slice(start, start + BATCH_LIMIT).map((offer) => ({
              PutRequest: {
                Item: {
                  ...changeOfferKey(offer.tenantId, offer.id),
                  change_offer: offer,
                  expires_at: epochSeconds(Date.parse(offer.validUntil)) + 86_400,
                },
              },
            })),
          },
        }),
      );
    }
  },
  find: async (tenantId: string, changeOfferId: string): Promise<ChangeOffer | undefined> => {
    const result = await dynamo().send(
      new GetCommand({ TableName: tableName("offers"), Key: changeOfferKey(tenantId, changeOfferId) }),
    );
    return result.Item?.change_offer as ChangeOffer | undefined;
  },
});
