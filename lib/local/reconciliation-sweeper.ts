import { SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";

/**
 * The local stand-in for the EventBridge schedule that starts the reconciliation workflow:
 * once at start-up (so orders left uncertain by a crash are settled at once), then every
 * interval. It goes through the Step Functions API like the schedule does.
 */
export class ReconciliationSweeper {
  private timer: NodeJS.Timeout | undefined;
  private readonly client = new SFNClient({});

  constructor(
    private readonly stateMachineArn: string,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    // At start-up nothing of this gateway is still booking: every uncertain order is due now.
    void this.runOnce({ after_s: 0 }).catch(this.onError);
    this.timer = setInterval(() => void this.runOnce().catch(this.onError), this.intervalMs);
    this.timer.unref();
  }

  async runOnce(input: { after_s?: number } = {}): Promise<void> {
    await this.client.send(
      new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, input: JSON.stringify(input) }),
    );
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.client.destroy();
  }
}
