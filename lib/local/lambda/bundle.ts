import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { cacheDir, pruneStale, sourceHash } from "../source-hash";

/**
 * Each function's code as one self-contained ESM bundle per handler (esbuild, as CDK's
 * NodejsFunction bundles it), its dependencies included: an execution environment then loads
 * one file instead of resolving and compiling hundreds of modules under node_modules, which
 * made each local cold start cost about three times the CPU. Bundles are cached by the hash
 * of the sources, so every runtime of a test run, and every restart of npm start, reuses them.
 */
export class HandlerBundles {
  private readonly dir: string;
  private readonly built = new Map<string, Promise<string>>();

  constructor(private readonly projectRoot: string) {
    const parent = cacheDir("aviaframe-lambdas");
    this.dir = join(parent, sourceHash());
    pruneStale(parent, sourceHash());
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
      file = existsSync(outfile) ? Promise.resolve(pathToFileURL(outfile).href) : this.build(entry, outfile);
      this.built.set(name, file);
    }
    return file;
  }

  private async build(entry: string, outfile: string): Promise<string> {
    const { outputFiles } = await build({
      entryPoints: [join(this.projectRoot, entry)],
      outfile,
      write: false,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      // The packages' ES module builds, as CDK's bundling prefers them.
      mainFields: ["module", "main"],
      // CommonJS dependencies bundled into ESM still require Node's built-ins.
      banner: {
        js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
      },
      sourcemap: "inline",
      sourcesContent: false,
      logLevel: "silent",
    });
    mkdirSync(this.dir, { recursive: true });
    // Written aside and renamed: a concurrent runtime never loads half a bundle.
    const temp = `${outfile}.${process.pid}.tmp`;
    writeFileSync(temp, outputFiles[0]?.contents ?? new Uint8Array());
    renameSync(temp, outfile);
    return pathToFileURL(outfile).href;
  }
}
