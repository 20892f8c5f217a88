/**
 * When a create that waits for its booking looks at the order: first after the time recent
 * bookings took to settle (their median, as this environment saw them), then backing off.
 * A fixed first look of 25 ms cost a read or three per create whenever DRCT is slower than
 * that; learning the usual settle time makes it one, most of the time.
 */
export class BookingWaits {
  private readonly recent: number[] = [];

  constructor(
    private readonly options: { readonly floorMs: number; readonly ceilingMs: number; readonly window: number } = {
      floorMs: 25,
      ceilingMs: 1_000,
      window: 20,
    },
  ) {}

  /** Milliseconds before look `round` (0: the first). */
  delayBefore(round: number): number {
    if (round > 0) return Math.min(250, this.options.floorMs * 2 ** round);
    if (this.recent.length === 0) return this.options.floorMs;
    const sorted = [...this.recent].sort((a, b) => a - b);
    const median = sorted[Math.floor((sorted.length - 1) / 2)] ?? this.options.floorMs;
    return Math.min(this.options.ceilingMs, Math.max(this.options.floorMs, Math.round(median)));
  }

  /** A booking that settled (by its own write's time) this long after the wait began. */
  settledAfter(ms: number): void {
    this.recent.push(ms);
    if (this.recent.length > this.options.window) this.recent.shift();
  }
}
