import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The action's tests and each workspace package's own configuration, in one `npm test`.
    projects: [
      {
        test: {
          name: "action",
          include: ["test/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 60_000,
          restoreMocks: true,
          unstubEnvs: true,
        },
      },
      "packages/*",
    ],
  },
});
