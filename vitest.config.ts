import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    environment: "node",
    pool: "forks",
    // Integration files each start a local runtime (process-wide env), so files run in separate processes.
    isolate: true,
    // Integration files mostly wait (DRCT's 1/s pacing, retry schedules), so four share two cores well.
    maxWorkers: 4,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { POWERTOOLS_LOG_LEVEL: "SILENT", POWERTOOLS_DEV: "false" },
    projects: [
      { extends: true, test: { name: "unit", include: ["test/unit/**/*.test.ts", "test/infra/**/*.test.ts"] } },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          // The templates and bundles every runtime needs, made once (only when integration files run).
          globalSetup: ["test/integration/global-setup.ts"],
        },
      },
    ],
  },
});
