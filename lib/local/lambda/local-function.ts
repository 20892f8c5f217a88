import { Worker } from "node:worker_threads";
import type { OutboundCall } from "./outbound-calls";
import type { InvokeMessage, WorkerMessage, WorkerSetup } from "./worker";

/** One function as the local runtime runs it: what the CDK app gives the Lambda. */
export interface LocalFunctionSpec {
  /** The function's name (its construct id, e.g. `Task-bookOrder`); also its local access key id. */
  readonly name: string;
  /** file:// URLs of the function's code (its bundle) and of the execution environment, built on first use. */
  readonly code: () => Promise<{ readonly handler: string; readonly runtime: string; readonly compileCache?: string }>;
  /** Exactly its environment: the template's, mapped to the local stand-ins. */
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly memoryMb: number;
  /** Execution environments at most (Lambda's concurrency, kept small on one machine). */
  readonly maxInstances: number;
  /** Hears each invocation's outbound calls (recorded only when set: the bench). */
  readonly onInvoked?: (calls: readonly OutboundCall[]) => void;
}

/** What the runtime sees when a function fails: Lambda's errorType as `name`. */
export class FunctionError extends Error {
  constructor(name: string, message: string, stack?: string) {
    super(message);
    this.name = name;
    if (stack !== undefined) this.stack = stack;
  }
}

interface Instance {
  readonly worker: Worker;
  ready: boolean;
  busy: boolean;
  /** Settles the invocation in flight when the worker dies under it. */
  fail?: (error: Error) => void;
}

interface Waiter {
  readonly resolve: (instance: Instance) => void;
  readonly reject: (error: Error) => void;
}

/**
 * A Lambda function, locally: each execution environment is a worker thread with the
 * function's own environment, started on demand and kept warm; one invocation at a time per
 * environment, so concurrent invocations run in environments of their own (up to
 * `maxInstances`; beyond, they wait for the first free one, as with reserved concurrency);
 * an invocation that overruns the timeout has its environment killed, as Lambda does.
 * A waiting invocation takes whichever environment is free first, a warm one or a new one.
 */
export class LocalFunction {
  private readonly instances = new Set<Instance>();
  private readonly waiting: Waiter[] = [];
  private pendingStarts = 0;
  private nextId = 0;
  private closed = false;
  /** Invocations so far, and the errors they ended with (tests read them). */
  readonly record = { invocations: 0, errors: [] as Error[] };

  constructor(readonly spec: LocalFunctionSpec) {}

  async invoke(event: unknown): Promise<unknown> {
    if (this.closed) throw new FunctionError("Local.FunctionClosed", `${this.spec.name} is shut down`);
    this.record.invocations += 1;
    const instance = await this.acquire();
    try {
      return await this.run(instance, event);
    } catch (error) {
      this.record.errors.push(error instanceof Error ? error : new Error(String(error)));
      throw error;
    } finally {
      instance.fail = undefined;
      instance.busy = false;
      this.dispatch();
    }
  }

  /** Environments started so far (tests). */
  get instanceCount(): number {
    return this.instances.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiting.splice(0))
      waiter.reject(new FunctionError("Local.FunctionClosed", `${this.spec.name} is shut down`));
    const instances = [...this.instances];
    this.instances.clear();
    await Promise.all(instances.map((instance) => instance.worker.terminate()));
  }

  private run(instance: Instance, event: unknown): Promise<unknown> {
    const id = this.nextId++;
    const deadline = Date.now() + this.spec.timeoutMs;
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.discard(instance);
        const seconds = (this.spec.timeoutMs / 1000).toFixed(2);
        reject(new FunctionError("Sandbox.Timedout", `${this.spec.name}: Task timed out after ${seconds} seconds`));
      }, this.spec.timeoutMs);
      timer.unref();
      const onMessage = (message: WorkerMessage) => {
        if (!("id" in message) || message.id !== id) return;
        instance.worker.off("message", onMessage);
        clearTimeout(timer);
        if (message.calls !== undefined) this.spec.onInvoked?.(message.calls);
        if (message.ok) resolve(message.result);
        else reject(new FunctionError(message.error.name, message.error.message, message.error.stack));
      };
      instance.fail = (error) => {
        instance.worker.off("message", onMessage);
        clearTimeout(timer);
        reject(error);
      };
      instance.worker.on("message", onMessage);
      instance.worker.postMessage({ id, event, deadline } satisfies InvokeMessage);
    });
  }

  private acquire(): Promise<Instance> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.dispatch();
    });
  }

  /** Hands free, ready environments to waiting invocations, oldest first; starts one more if any still wait. */
  private dispatch(): void {
    for (const instance of this.instances) {
      if (this.waiting.length === 0) break;
      if (!instance.ready || instance.busy) continue;
      instance.busy = true;
      this.waiting.shift()?.resolve(instance);
    }
    const starting = this.pendingStarts + [...this.instances].filter((instance) => !instance.ready).length;
    const total = this.instances.size + this.pendingStarts;
    // One environment starts at a time (Lambda scales out gradually too): the invocations
    // queued meanwhile go to whichever is free first, usually a warm one.
    if (!this.closed && this.waiting.length > 0 && starting === 0 && total < this.spec.maxInstances) {
      this.pendingStarts += 1;
      void this.start()
        .catch((error: unknown) => {
          // An environment that cannot start fails the invocations waiting for it (Lambda's init error).
          const failure = error instanceof Error ? error : new Error(String(error));
          for (const waiter of this.waiting.splice(0)) waiter.reject(failure);
        })
        .finally(() => {
          this.pendingStarts -= 1;
        });
    }
  }

  private async start(): Promise<void> {
    const code = await this.spec.code();
    const setup: WorkerSetup = {
      handlerFile: code.handler,
      functionName: this.spec.name,
      memoryMb: this.spec.memoryMb,
      recordCalls: this.spec.onInvoked !== undefined,
      ...(code.compileCache === undefined ? {} : { compileCacheDir: code.compileCache }),
    };
    const worker = new Worker(new URL(code.runtime), {
      workerData: setup,
      env: { ...this.spec.env },
      execArgv: ["--enable-source-maps"],
      resourceLimits: { maxOldGenerationSizeMb: this.spec.memoryMb },
    });
    const instance: Instance = { worker, ready: false, busy: false };
    const died = (error: Error) => {
      if (!this.instances.delete(instance)) return;
      instance.fail?.(new FunctionError("Runtime.ExitError", `${this.spec.name}: ${error.message}`, error.stack));
      this.dispatch();
    };
    worker.on("error", died);
    worker.on("exit", (exitCode) => died(new Error(`the execution environment exited (code ${exitCode})`)));
    worker.on("message", (message: WorkerMessage) => {
      if (!("initialized" in message)) return;
      instance.ready = true;
      this.dispatch();
    });
    worker.unref();
    this.instances.add(instance);
  }

  private discard(instance: Instance): void {
    this.instances.delete(instance);
    void instance.worker.terminate();
    this.dispatch();
  }
}
