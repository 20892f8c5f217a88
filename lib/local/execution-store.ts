import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Where the Step Functions stand-in keeps its executions (DATA_DIR/stepfunctions), so they
 * survive a restart like the other stand-ins' state: names stay taken, histories readable.
 * Written atomically (temp file + rename), a moment after each change and on close.
 */
export interface StoredExecution {
  readonly arn: string;
  readonly name: string;
  readonly workflow: string;
  readonly input: string;
  readonly startDate: number;
  readonly stopDate?: number;
  readonly status: "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly history: readonly Record<string, unknown>[];
}

const SAVE_DELAY_MS = 100;

export class ExecutionStore {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    private readonly snapshot: () => StoredExecution[],
  ) {}

  load(): StoredExecution[] {
    if (!existsSync(this.file)) return [];
    const parsed: unknown = JSON.parse(readFileSync(this.file, "utf8"));
    return Array.isArray(parsed) ? (parsed as StoredExecution[]) : [];
  }

  /** Saves soon (changes come in bursts: a state's events, then its status). */
  changed(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, SAVE_DELAY_MS);
  }

  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    mkdirSync(dirname(this.file), { recursive: true });
    const temp = `${this.file}.tmp`;
    writeFileSync(temp, JSON.stringify(this.snapshot()));
    renameSync(temp, this.file);
  }
}
