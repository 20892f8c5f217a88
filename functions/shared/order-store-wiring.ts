/**
 * The composition root of the order store: the repository and the passenger-data cipher it
 * decrypts with. Apart from the order functions' other adapters (booking workflow, queues,
 * the event bus), so a function that only reads orders loads only DynamoDB and KMS.
 */
import { DynamoOrderRepository } from "../adapters/dynamodb/order-repository";
import { fieldCipherFromEnv } from "../adapters/pii/field-cipher";
import { once } from "./once";

export const fieldCipher = /* @__PURE__ */ once(fieldCipherFromEnv);
export const orderRepository = /* @__PURE__ */ once(() => new DynamoOrderRepository(fieldCipher()));
