/**
 * `npm start` as a separate process, for the tests that stop, kill and restart it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../lib/local/runtime";

export const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });

export interface Gateway {
  readonly child: ChildProcess;
  output(): string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts bin/local.ts on Node with tsx as a loader (not the tsx CLI, which runs the app in a
 * child process a SIGKILL of the CLI would leave running) and waits until it says it is up.
 */
export const startGateway = async (env: Record<string, string | undefined>): Promise<Gateway> => {
  const child = spawn(join(PROJECT_ROOT, "node_modules/.bin/node"), ["--import", "tsx", "bin/local.ts"], {
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
  const deadline = Date.now() + 25_000;
  while (!output.includes("is up")) {
    if (Date.now() > deadline || child.exitCode !== null) {
      // Not left running (and holding its ports and CPU) when it is late.
      child.kill("SIGKILL");
      throw new Error(`npm start did not come up:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    child,
    output: () => output,
    stop: (signal) => {
      child.kill(signal);
      return exited;
    },
  };
};
