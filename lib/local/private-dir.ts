import { chmodSync, lstatSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { isMainThread } from "node:worker_threads";

/**
 * Makes `dir` private to this user: created 0700, and everything already in it tightened
 * to 0700 (directories) or 0600 (files). From then on the process creates files 0600 and
 * directories 0700 (umask 077), whoever writes them: dynalite, fauxqs, the event log, the
 * simulator's state, the PII key. Local state holds ciphertext, keys and secrets: no other
 * user of the machine should read it (CONTRACT.md §3 "Passenger data").
 */
export const makePrivateDir = (dir: string): void => {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // A worker thread may not change the umask; the runtime always starts on the main thread.
  if (isMainThread) process.umask(0o077);
  tighten(dir);
};

const tighten = (path: string): void => {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return;
  if (stat.isDirectory()) {
    chmodSync(path, 0o700);
    for (const entry of readdirSync(path)) tighten(join(path, entry));
  } else {
    chmodSync(path, 0o600);
  }
};
