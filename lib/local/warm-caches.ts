import { synthesizeLocalApp } from "./deployed-app";
import { HandlerBundles } from "./lambda/bundle";
import { PROJECT_ROOT } from "./source-hash";

/**
 * Fills the local runtime's caches for the current sources (synthesized templates, every
 * function's bundle) in one go, so runtimes started together (a test run's files) each find
 * them ready instead of all synthesizing and bundling at once.
 */
export const warmLocalCaches = async (): Promise<void> => {
  const app = await synthesizeLocalApp("http://drct.invalid");
  const handlers = new Set([...app.functions.values()].map((fn) => fn.handler));
  await new HandlerBundles(PROJECT_ROOT).prebuild([...handlers]);
};
