import { defineConfig } from "vitest/config";

const dbSetup = "./packages/testing/src/global-setup.ts";

/**
 * Three projects: pure unit tests, integration tests against a real PostgreSQL (one cluster
 * per run, one cloned database per file), and browser journeys in Debian's Chromium.
 */
export default defineConfig({
  test: {
    reporters: ["default", "./packages/testing/src/summary-reporter.ts"],
    projects: [
      {
        test: {
          name: "unit",
          sequence: { groupOrder: 0 },
          include: ["packages/*/src/**/*.test.ts", "apps/*/src/**/*.test.ts"],
          exclude: ["**/*.integration.test.ts", "**/node_modules/**"],
        },
      },
      {
        test: {
          name: "integration",
          sequence: { groupOrder: 1 },
          include: ["packages/*/src/**/*.integration.test.ts", "apps/api/src/**/*.integration.test.ts"],
          globalSetup: [dbSetup],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          pool: "forks",
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: "e2e",
          sequence: { groupOrder: 2 },
          include: ["apps/admin/e2e/**/*.e2e.test.ts"],
          globalSetup: [dbSetup, "./apps/admin/e2e/build-ui.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          pool: "forks",
          maxWorkers: 1,
        },
      },
    ],
  },
});
