import { execFile } from "node:child_process";
import { describe, expect, test } from "vitest";

/** Runs one of the bin/ scripts as `npm run <script> -- <args>` would, and collects what it printed. */
const run = (script: string, args: string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      ["--import", "tsx", script, ...args],
      { timeout: 20_000, env: { ...process.env, AWS_REGION: "eu-west-1" } },
      (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
    );
  });

const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

describe("command-line usage", () => {
  test("npm run tenant -- --help prints the commands, no stack trace", async () => {
    const help = await run("bin/tenant.ts", ["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run tenant -- <command>/);
    for (const command of ["create", "update", "add-key", "revoke-key", "auth-events", "rotate-webhook-secret"]) {
      expect(help.stdout).toContain(command);
    }
    expect(help.stdout + help.stderr).not.toMatch(STACK_FRAME);
  });

  test("npm run tenant mistakes are said plainly, with the usage", async () => {
    for (const args of [["bogus"], ["create", "--plan", "premium"], ["update", "--id", "x", "--markup", "lots"]]) {
      const result = await run("bin/tenant.ts", args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr, args.join(" ")).toContain("Usage: npm run tenant");
      expect(result.stderr, args.join(" ")).not.toMatch(STACK_FRAME);
    }
  });

  test("npm run listen -- --help prints its options", async () => {
    const help = await run("bin/listen.ts", ["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--ping");
    expect(help.stdout).not.toMatch(STACK_FRAME);
  });
});
