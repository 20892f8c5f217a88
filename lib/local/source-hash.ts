import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";

export const PROJECT_ROOT = join(import.meta.dirname, "..", "..");

let memo: string | undefined;

/**
 * Every source the deployed code can depend on (lib, functions and the lockfile), hashed: the
 * key of what the local runtime caches between runs (synthesized templates, function bundles).
 * Hashed once per process: a runtime serves the sources it started with.
 */
export const sourceHash = (): string => {
  if (memo !== undefined) return memo;
  const hash = createHash("sha256");
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts") || entry.name.endsWith(".json")) {
        hash.update(relative(PROJECT_ROOT, path)).update(readFileSync(path));
      }
    }
  };
  for (const dir of ["lib", "functions"]) walk(join(PROJECT_ROOT, dir));
  hash.update(readFileSync(join(PROJECT_ROOT, "package-lock.json")));
  memo = hash.digest("hex").slice(0, 32);
  return memo;
};

/** A cache of the local runtime's under node_modules/.cache (gone with a clean install). */
export const cacheDir = (name: string): string => join(PROJECT_ROOT, "node_modules", ".cache", name);

const STALE_AFTER_MS = 10 * 60 * 1000;

/**
 * Removes a cache's entries for other sources that nobody touched for ten minutes (a runtime
 * started before an edit rebuilds what it still needs).
 */
export const pruneStale = (dir: string, keep: string, now = Date.now()): void => {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith(keep)) continue;
    const path = join(dir, entry);
    try {
      if (now - statSync(path).mtimeMs > STALE_AFTER_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // Removed meanwhile by another runtime.
    }
  }
};
