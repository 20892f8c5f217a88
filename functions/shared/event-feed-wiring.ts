/** The composition root of the event feed (GET /public/events and its recorder). */
import { dynamoEventFeed } from "../adapters/dynamodb/event-feed";
import { once } from "./once";

export const eventFeed = /* @__PURE__ */ once(() => dynamoEventFeed());
