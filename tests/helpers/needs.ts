/**
 * What some tests need from outside the repository: GNU Go, Debian's python3-onnx, the shared
 * data beside the repository. A test that needs something missing is skipped (and the global
 * setup, tests/setup/requirements.ts, prints one line naming it and how to get it) — unless
 * FOSSIL_REQUIRE_ALL=1 (set by .ci/run), where it runs, and fails, so that CI always runs them.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { it, describe } from "vitest";
import { SHARED_DATA } from "./paths.js";

export interface Requirement {
  /** What it is, for the skip line. */
  name: string;
  available: boolean;
  /** How to get it. */
  how: string;
}

const GNUGO = "/usr/games/gnugo";
const PYTHON = "/usr/bin/python3";

export const needs = {
  gnugo: { name: `GNU Go (${GNUGO})`, available: existsSync(GNUGO), how: "on Debian or Ubuntu: apt-get install gnugo" } as Requirement,
  pythonOnnx: {
    name: `Debian's python3-onnx (${PYTHON} -c "import onnx")`,
    available: existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import onnx"], { stdio: "ignore" }).status === 0,
    how: "on Debian or Ubuntu: apt-get install python3-onnx",
  } as Requirement,
  sharedData: { name: `the shared test data (${SHARED_DATA})`, available: existsSync(SHARED_DATA), how: "put the shared/ folder beside the repository, or set FOSSIL_SHARED_DATA" } as Requirement,
};

/** Whether CI asked for every test to run (missing requirements then fail instead of skipping). */
export const REQUIRE_ALL = process.env.FOSSIL_REQUIRE_ALL === "1";

const missing = (requirements: readonly Requirement[]): boolean => !REQUIRE_ALL && requirements.some((r) => !r.available);

/** `it`, skipped when a requirement is missing (outside CI). */
export function itNeeds(...requirements: Requirement[]): ReturnType<typeof it.skipIf> {
  return it.skipIf(missing(requirements));
}

/** `describe`, skipped when a requirement is missing (outside CI). */
export function describeNeeds(...requirements: Requirement[]): ReturnType<typeof describe.skipIf> {
  return describe.skipIf(missing(requirements));
}
