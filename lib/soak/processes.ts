/**
 * The gateway (`npm start`) and the DRCT simulator as processes of their own, for the tests
 * and the soak that stop, kill and restart them.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { PROJECT_ROOT } from "../local/runtime";

/**
 * Below Linux's ephemeral range (32768–60999): a port the kernel hands out for `listen(0)` is
 * also one it may give an outgoing connection between our check and the child's listen (seen
 * as EADDRINUSE in a busy test run); these it never does.
 */
const PORTS = { from: 20_000, to: 32_000 } as const;

const bindable = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });

/** A port nothing listens on, for a child process to take (and take again after a restart). */
export const freePort = async (): Promise<number> => {
  for (;;) {
    const port = PORTS.from + Math.floor(Math.random() * (PORTS.to - PORTS.from));
    if (await bindable(port)) return port;
  }
};

export interface RunningProcess {
  readonly child: ChildProcess;
  output(): string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts a TypeScript entry point on the project's Node with tsx as a loader (not the tsx CLI,
 * which runs the app in a child process a SIGKILL of the CLI would leave running) and waits
 * until its output says `ready`.
 */
export const startProcess = async (
  script: string,
  env: Record<string, string | undefined>,
  ready: string,
  timeoutMs = 25_000,
): Promise<RunningProcess> => {
  const child = spawn(join(PROJECT_ROOT, "node_modules/.bin/node"), ["--import", "tsx", script], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const deadline = Date.now() + timeoutMs;
  while (!output.includes(ready)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      // Not left running (and holding its ports and CPU) when it is late.
      child.kill("SIGKILL");
      throw new Error(`${script} did not come up:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    child,
    output: () => output,
    stop: (signal) => {
      if (child.exitCode !== null) return exited;
      child.kill(signal);
      return exited;
    },
  };
};

/** `npm start` (bin/local.ts) with exactly this environment. */
export const startGateway = (env: Record<string, string | undefined>) => startProcess("bin/local.ts", env, "is up");

/** The DRCT simulator alone (bin/drct-simulator.ts). */
export const startSimulator = (env: Record<string, string | undefined>) =>
  startProcess("bin/drct-simulator.ts", env, "is up");
