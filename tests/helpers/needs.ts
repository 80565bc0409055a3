/**
 * What some tests need from outside the repository: GNU Go, Debian's python3-onnx, the shared
 * data beside the repository. A test that needs something missing is skipped (and the global
 * setup, tests/setup/requirements.ts, prints one line naming it and how to get it) — unless
 * FOSSIL_REQUIRE_ALL=1 (set by .ci/run), where it runs, and fails, so that CI always runs them.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { it, describe } from "vitest";
import { ROOT, SHARED_DATA } from "./paths.js";

export interface Requirement {
  /** What it is, for the skip line. */
  name: string;
  available: boolean;
  /** How to get it. */
  how: string;
}

const GNUGO = "/usr/games/gnugo";
/** Debian's Chromium, which the viewer's tests drive with playwright-core. */
export const CHROMIUM = "/usr/bin/chromium";
const PYTHON = "/usr/bin/python3";

/** A way to run a program as a user who cannot write what it does not own: a command prefix and spawn options. */
export interface Unprivileged {
  prefix: string[];
  options: { uid?: number; gid?: number };
}

/**
 * How the read-only database tests run the CLI: directly when the tests do not run as root; as
 * root, in a user namespace whose only user is nobody (util-linux `unshare`: root's files then
 * grant only their owner's bits, and the checkout stays readable whatever the modes of its
 * folders), else with nobody's uid (the checkout must then be readable by all). Null when
 * neither reaches the checkout.
 */
function findUnprivileged(): Unprivileged | null {
  if (process.getuid?.() !== 0) return { prefix: [], options: {} };
  // The checkout, not the built CLI: the requirement is judged before the build (tests/setup).
  const probe = ["-e", `require("fs").accessSync(${JSON.stringify(`${ROOT}package.json`)})`];
  const ways: Unprivileged[] = [
    { prefix: ["unshare", "--user", "--map-user=65534", "--map-group=65534", process.execPath], options: {} },
    { prefix: [process.execPath], options: { uid: 65534, gid: 65534 } },
  ];
  return ways.find((w) => spawnSync(w.prefix[0]!, [...w.prefix.slice(1), ...probe], { ...w.options, stdio: "ignore" }).status === 0) ?? null;
}

export const unprivileged = findUnprivileged();

export const needs = {
  gnugo: { name: `GNU Go (${GNUGO})`, available: existsSync(GNUGO), how: "on Debian or Ubuntu: apt-get install gnugo" } as Requirement,
  pythonOnnx: {
    name: `Debian's python3-onnx (${PYTHON} -c "import onnx")`,
    available: existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import onnx"], { stdio: "ignore" }).status === 0,
    how: "on Debian or Ubuntu: apt-get install python3-onnx",
  } as Requirement,
  unprivileged: {
    name: "a user who cannot write root's files (the read-only database tests run as root)",
    available: unprivileged !== null,
    how: "run the tests as a user other than root, or allow user namespaces (unshare --user), or make the checkout readable by nobody",
  } as Requirement,
  chromium: { name: `Chromium (${CHROMIUM}), for the web viewer's browser tests`, available: existsSync(CHROMIUM), how: "on Debian or Ubuntu: apt-get install chromium" } as Requirement,
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
