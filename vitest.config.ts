import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // The CLI tests run the compiled command; build it once before any test.
    globalSetup: ["tests/setup/build.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
