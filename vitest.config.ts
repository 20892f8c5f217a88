import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    pool: "forks",
    // Integration files each start a local runtime (process-wide env), so files run in separate processes.
    isolate: true,
    // Integration files mostly wait (DRCT's 1/s pacing, retry schedules), so three share two cores well.
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { POWERTOOLS_LOG_LEVEL: "SILENT", POWERTOOLS_DEV: "false" },
  },
});
