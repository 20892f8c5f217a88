/**
 * DRCT's notification sender (docs/DRCT-API.md §11): tells the gateway that something of a
 * booking changed, signed with the notification secret the two share, retried until the
 * gateway answers 2xx or the schedule is used up. A notification carries ids only: the
 * gateway reads the order (GET /v1/orders/{id}) to learn what changed.
 */
import { createHmac, randomUUID } from "node:crypto";
import type { SimStats } from "./state";

export interface NotificationTarget {
  readonly url: string;
  readonly secret: string;
}

export interface DrctNotification {
  readonly id: string;
  readonly type: "order.schedule_changed";
  readonly created_at: string;
  readonly data: { readonly order_id: string; readonly change_id: string };
}

/** Milliseconds from the first try, one entry per try. */
export const NOTIFY_RETRY_SCHEDULE_MS = [0, 250, 1_000, 3_000, 7_000, 15_000];

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: what the gateway checks. */
export const signNotification = (secret: string, timestamp: number, body: string): string =>
  `t=${timestamp},v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;

export class DrctNotifier {
  private target: NotificationTarget | undefined;
  enabled = true;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly stats: () => SimStats,
    private readonly schedule: readonly number[] = NOTIFY_RETRY_SCHEDULE_MS,
  ) {}

  setTarget(target: NotificationTarget | undefined): void {
    this.target = target;
  }

  /** Sends in the background; never throws. Nothing is sent while disabled or without a target. */
  notify(data: DrctNotification["data"]): void {
    if (!this.enabled || this.target === undefined) return;
    const notification: DrctNotification = {
      id: `ntf_${randomUUID()}`,
      type: "order.schedule_changed",
      created_at: new Date().toISOString(),
      data,
    };
    this.attempt(this.target, notification, 0);
  }

  private attempt(target: NotificationTarget, notification: DrctNotification, index: number): void {
    const delay = (this.schedule[index] ?? 0) - (this.schedule[index - 1] ?? 0);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.send(target, notification).then((delivered) => {
        if (delivered) this.stats().notifications.delivered += 1;
        else if (index + 1 < this.schedule.length) this.attempt(target, notification, index + 1);
        else this.stats().notifications.failed += 1;
      });
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }

  private async send(target: NotificationTarget, notification: DrctNotification): Promise<boolean> {
    this.stats().notifications.attempts += 1;
    const body = JSON.stringify(notification);
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const response = await fetch(target.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "drct-notification-id": notification.id,
          "drct-signature": signNotification(target.secret, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(5_000),
      });
      await response.arrayBuffer();
      return response.ok;
    } catch {
      return false;
    }
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
