import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

let documentClient: DynamoDBDocumentClient | undefined;

/**
 * One client per execution environment, created on first use so the endpoint
 * (AWS_ENDPOINT_URL_DYNAMODB locally) is read after the runtime has set it.
 */
export const dynamo = (): DynamoDBDocumentClient => {
  documentClient ??= DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 3 }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return documentClient;
};

export const isConditionalCheckFailure = (error: unknown): boolean =>
  error instanceof Error && error.name === "ConditionalCheckFailedException";

/** For `.catch` after a conditional write whose losing the race is fine: anything else still fails. */
export const unlessConditionFailed = (error: unknown): void => {
  if (!isConditionalCheckFailure(error)) throw error;
};

export const epochSeconds = (ms: number): number => Math.floor(ms / 1000);
