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
const RUNTIME = "runtime";
const RUNTIME_ENTRY = "lib/local/lambda/worker.ts";
const bundleName = (handler: string): string => `handler-${handler.replaceAll("/", "-")}`;
const handlerEntry = (handler: string): string => join("functions/handlers", `${handler}.ts`);

export class HandlerBundles {
  private readonly dir: string;
  private readonly compileCache: string;
  private readonly building = new Map<string, Promise<void>>();

  constructor(private readonly projectRoot: string) {
    const parent = cacheDir("aviaframe-lambdas");
    this.dir = join(parent, sourceHash());
    pruneStale(parent, sourceHash());
    // V8's compiled code of these bundles, kept as long as they are.
    const compiled = cacheDir("aviaframe-compile");
    this.compileCache = join(compiled, sourceHash());
    pruneStale(compiled, sourceHash());
  }

  /** file:// URLs of the handler's bundle and of the execution environment's, built on first use. */
  async codeOf(handler: string): Promise<{ handler: string; runtime: string; compileCache: string }> {
    return {
      handler: await this.bundle(bundleName(handler), handlerEntry(handler)),
      runtime: await this.runtime(),
      compileCache: this.compileCache,
    };
  }

  /** file:// URL of the execution environment's bundle (lib/local/lambda/worker.ts). */
  runtime(): Promise<string> {
    return this.bundle(RUNTIME, RUNTIME_ENTRY);
  }

  /**
   * Builds the bundles of these handlers and the execution environment's that are not cached
   * yet, in one esbuild run (each shared module is parsed once, not once per function).
   */
  async prebuild(handlers: readonly string[]): Promise<void> {
    const entries = new Map<string, string>([[RUNTIME, RUNTIME_ENTRY]]);
    for (const handler of handlers) entries.set(bundleName(handler), handlerEntry(handler));
    const missing = [...entries].filter(([name]) => !existsSync(this.fileOf(name)));
    if (missing.length > 0) await this.build(new Map(missing));
  }

  private fileOf(name: string): string {
    return join(this.dir, `${name}.mjs`);
  }

  /** Built when missing: once, or again if pruned from the cache while the runtime ran. */
  private async bundle(name: string, entry: string): Promise<string> {
    const file = this.fileOf(name);
    let building = this.building.get(name);
    if (building === undefined && !existsSync(file)) {
      building = this.build(new Map([[name, entry]])).finally(() => this.building.delete(name));
      this.building.set(name, building);
    }
    await building;
    return pathToFileURL(file).href;
  }

  /** Bundles each entry (name → source path) into `<name>.mjs` in the cache. */
  private async build(entries: ReadonlyMap<string, string>): Promise<void> {
    const { outputFiles } = await build({
      entryPoints: [...entries].map(([name, entry]) => ({ out: name, in: join(this.projectRoot, entry) })),
      outdir: this.dir,
      outExtension: { ".js": ".mjs" },
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
    for (const output of outputFiles) {
      // Written aside and renamed: a concurrent runtime never loads half a bundle.
      const temp = `${output.path}.${process.pid}.tmp`;
      writeFileSync(temp, output.contents);
      renameSync(temp, output.path);
    }
  }
}
