/** The composition root of issuing: the order transitions and the ticketing queue the issue hands the order to. */
import { sqsTicketingQueue } from "../adapters/sqs/job-queues";
import type { IssueOrderDeps } from "../use-cases/issue-order";
import { once } from "./once";
import { transitionDeps } from "./transition-wiring";
import { usageMeter } from "./usage-wiring";

export const ticketingQueue = /* @__PURE__ */ once(() => sqsTicketingQueue());

export const issueOrderDeps = /* @__PURE__ */ once(
  (): IssueOrderDeps => ({ ...transitionDeps(), ticketing: ticketingQueue(), usage: usageMeter() }),
);
