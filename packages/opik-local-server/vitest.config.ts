import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "opik-local-server",
    include: ["test/**/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    restoreMocks: true,
  },
});
