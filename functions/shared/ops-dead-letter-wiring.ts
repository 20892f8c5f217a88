/** The composition root of the operators' view of the job queues' dead letters (SQS). */
import { sqsDeadLetterQueues } from "../adapters/sqs/dead-letters";
import { once } from "./once";

export const deadLetterQueues = /* @__PURE__ */ once(() =>
  sqsDeadLetterQueues(["ticketing", "callbacks", "scheduleChanges"]),
);
