import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

/**
 * Each function's code as Lambda gets it: one ESM bundle per handler (esbuild, as CDK's
 * NodejsFunction bundles it), so a local execution environment loads what a deployed one
 * would, and starts in a fraction of the time of transpiling the sources file by file.
 * Dependencies stay in node_modules (the bundles live under it to resolve them).
 */
export class HandlerBundles {
  private readonly dir: string;
  private readonly built = new Map<string, Promise<string>>();

  constructor(private readonly projectRoot: string) {
    const parent = join(projectRoot, "node_modules", ".cache", "aviaframe-lambdas");
    this.dir = join(parent, `${process.pid}-${Date.now()}`);
    // Bundles of runtimes that were killed (their process is gone).
    for (const entry of existsSync(parent) ? readdirSync(parent) : []) {
      if (!isAlive(Number(entry.split("-")[0]))) rmSync(join(parent, entry), { recursive: true, force: true });
    }
  }

  /** file:// URLs of the handler's bundle and of the execution environment's, built on first use. */
  async codeOf(handler: string): Promise<{ handler: string; runtime: string }> {
    return {
      handler: await this.bundle(
        `handler-${handler.replaceAll("/", "-")}`,
        join("functions/handlers", `${handler}.ts`),
      ),
      runtime: await this.runtime(),
    };
  }

  /** file:// URL of the execution environment's bundle (lib/local/lambda/worker.ts). */
  runtime(): Promise<string> {
    return this.bundle("runtime", "lib/local/lambda/worker.ts");
  }

  private bundle(name: string, entry: string): Promise<string> {
    let file = this.built.get(name);
    if (file === undefined) {
      const outfile = join(this.dir, `${name}.mjs`);
      mkdirSync(this.dir, { recursive: true });
      file = build({
        entryPoints: [join(this.projectRoot, entry)],
        outfile,
        bundle: true,
        platform: "node",
        format: "esm",
        target: "node22",
        packages: "external",
        sourcemap: "inline",
        logLevel: "silent",
      }).then(() => pathToFileURL(outfile).href);
      this.built.set(name, file);
    }
    return file;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
