/**
 * The tests' second global setup (vitest.config.ts, after the build): one line on stderr for each
 * outside requirement that is missing (tests/helpers/needs.ts), naming the tests skipped for it and
 * how to get it. Under FOSSIL_REQUIRE_ALL=1 (.ci/run) a missing requirement fails the run at once
 * instead, so CI never passes by skipping.
 */
import { needs, REQUIRE_ALL } from "../helpers/needs.js";

export default function requirements(): void {
  const missing = Object.values(needs).filter((r) => !r.available);
  if (missing.length === 0) return;
  if (REQUIRE_ALL) {
    throw new Error(`FOSSIL_REQUIRE_ALL=1 but the tests need what is missing here:\n${missing.map((r) => `  ${r.name}: ${r.how}`).join("\n")}`);
  }
  for (const r of missing) process.stderr.write(`skipping the tests that need ${r.name}: ${r.how}\n`);
}
