import { scheduleWatchDeps } from "../../shared/disruption-wiring";
import { loadOrderStep, OrderRef } from "../../shared/order-step";
import { taskHandler } from "../../shared/task";
import { checkSchedule } from "../../use-cases/schedule-watch";

/** "Check the order's schedule with DRCT" (the sweep): re-reads one booked order's flights at DRCT. */
export const handler = taskHandler(OrderRef, async (ref, context) => {
  const step = await loadOrderStep(ref, context);
  if (step === undefined) return { outcome: "unwatched" };
  return { outcome: await checkSchedule(scheduleWatchDeps(), step.order, { ...step.call, priority: "background" }) };
});
