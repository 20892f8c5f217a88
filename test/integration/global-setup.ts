import { warmLocalCaches } from "../../lib/local/warm-caches";

/** Once per run, before the integration files start their runtimes. */
export default async function setup(): Promise<void> {
  await warmLocalCaches();
}
