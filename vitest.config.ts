import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // The CLI tests run the compiled command and workers load it: build once before any test.
    // Then name what is missing for the tests that need an outside program or the shared data
    // (they skip; under FOSSIL_REQUIRE_ALL=1, as in .ci/run, the run fails instead).
    globalSetup: ["scripts/build.mjs", "tests/setup/requirements.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
