import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // The CLI tests run the compiled command and workers load it: build once before any test.
    globalSetup: ["scripts/build.mjs"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
