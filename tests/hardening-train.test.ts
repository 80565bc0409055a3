/**
 * `fossil train sl` and the training loop against user mistakes (project issue 12, item 6): bad
 * numbers, unwritable --out, a diverging loss, a selection smaller than one batch, a resumed run
 * given other settings. Each refusal is one `fossil: ...` line with exit code 2, before any work,
 * and leaves what is stored as it was; the summary names only files that were written.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../core/errors.js";
import { Rng } from "../core/rng.js";
import { sgfPoint } from "../games/go/coords.js";
import { GoState } from "../games/go/state.js";
import { parseGameSpec } from "../games/index.js";
import { randomBatch } from "../models/synthetic.js";
import { readModelFile } from "../models/onnx/read.js";
import { lastPath, train, type TrainingRun, type TrainingSource } from "../src/train/loop.js";
import { runCli } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "fossil-train-hardening-"));
const db = join(dir, "games.db");

/** Twelve seeded random 9x9 games of 30 moves (360 positions), as human SGF games. */
function randomGames(): string {
  const rng = Rng.fromSeed(7);
  let text = "";
  for (let g = 0; g < 12; g++) {
    const state = new GoState(9);
    let moves = "";
    for (let m = 0; m < 30; m++) {
      const mask = state.legalMask();
      const legal = [...Array(81).keys()].filter((a) => mask[a] === 1);
      const action = legal[rng.int(legal.length)]!;
      moves += `;${m % 2 ? "W" : "B"}[${sgfPoint(action, 9)}]`;
      state.play(action);
    }
    text += `(;GM[1]FF[4]SZ[9]KM[6.5]PB[ann${g}]PW[bob${g}]BR[3k]WR[3k]RE[${g % 2 ? "W" : "B"}+R]${moves})\n`;
  }
  return text;
}

beforeAll(() => {
  const sgf = join(dir, "games.sgf");
  writeFileSync(sgf, randomGames());
  expect(runCli(["data", "import", "--db", db, sgf]).stdout).toBe("stored 12 human games, 0 duplicates (same moves) skipped, 0 rejected\n");
});

const net = ["train", "sl", "--db", db, "--game", "go:9", "--blocks", "1", "--filters", "8"];
const tiny = [...net, "--batch", "16"];

/** A fresh folder for one run's files. */
function folder(name: string): string {
  const path = join(dir, name);
  mkdirSync(path);
  return path;
}

/** Exit code 2 and exactly one line `fossil: ...` on stderr, nothing on stdout. */
function expectRefusal(r: { status: number | null; stdout: string; stderr: string }, message: RegExp): void {
  expect(r.stderr).toMatch(/^fossil: [^\n]*\n$/);
  expect(r.stderr).toMatch(message);
  expect(r.stdout).toBe("");
  expect(r.status).toBe(2);
}

/** The bytes of a run's files, to compare before and after. */
function snapshot(out: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const f of [out, out.replace(/\.onnx$/, ".state"), lastPath(out), lastPath(out).replace(/\.onnx$/, ".state")]) files[f] = existsSync(f) ? readFileSync(f).toString("base64") : "(none)";
  return files;
}

describe("fossil train sl refuses user mistakes before any work", () => {
  it("refuses bad numbers: epochs, batch, patience, validation, seed, max-games, lr, blocks, an option given twice", () => {
    const cases: [string[], RegExp][] = [
      [["--epochs", "0"], /--epochs must be a whole number of at least 1, got 0/],
      [["--epochs", "1.5"], /--epochs must be a whole number of at least 1, got 1\.5/],
      [["--patience", "0"], /--patience must be a whole number of at least 1, got 0/],
      [["--validation", "1"], /--validation must be a share from 0 \(no validation set\) to below 1, got 1/],
      [["--validation", "-0.1"], /--validation must be a share .* got -0\.1/],
      [["--seed", "abc"], /--seed must be a whole number, got NaN/],
      [["--max-games", "0"], /--max-games must be a whole number of at least 1, got 0/],
      [["--max-games", "2.5"], /--max-games must be a whole number of at least 1, got 2\.5/],
      [["--lr", "0"], /--lr must be a number above 0, got 0/],
      [["--lr", "-1"], /--lr must be a number above 0, got -1/],
      [["--lr", "abc"], /--lr must be a number above 0, got NaN/],
      [["--out", "y.onnx"], /--out given more than once/],
    ];
    const out = folder("numbers");
    for (const [extra, message] of cases) expectRefusal(runCli([...tiny, "--out", join(out, "x.onnx"), ...extra]), message);
    for (const batch of ["0", "-1", "2.5", "abc"]) {
      expectRefusal(runCli(["train", "sl", "--db", db, "--game", "go:9", "--batch", batch, "--out", join(out, "x.onnx")]), /--batch must be a whole number of at least 1, got (0|-1|2\.5|NaN)$/m);
    }
    expectRefusal(runCli(["train", "sl", "--db", db, "--game", "go:9", "--blocks", "1.5", "--out", join(out, "x.onnx")]), /--blocks must be a whole number from 0 to 40, got 1\.5/);
    expect(readdirSync(out)).toEqual([]);
  });

  it("refuses --out into a missing folder, onto a folder, or onto the database", () => {
    const out = folder("places");
    expectRefusal(runCli([...tiny, "--out", join(out, "missing", "x.onnx")]), /the folder of --out does not exist: .*missing \(create it first\)/);
    mkdirSync(join(out, "taken.onnx"));
    expectRefusal(runCli([...tiny, "--out", join(out, "taken.onnx")]), /taken\.onnx is a folder \(or not a regular file\), not a model file: choose another --out/);
    expectRefusal(runCli(["train", "sl", "--db", join(out, "d.onnx"), "--game", "go:9", "--out", join(out, "d.onnx")]), /would overwrite the database/);
    expect(readdirSync(out)).toEqual(["taken.onnx"]);
  });

  it("refuses a selection smaller than one batch, or too small to hold out a validation game", () => {
    const out = folder("small");
    expectRefusal(runCli([...net, "--batch", "1000", "--out", join(out, "x.onnx")]), /^fossil: 330 training positions \(11 games\), fewer than one batch of 1000: nothing to train on/);
    expectRefusal(runCli([...tiny, "--max-games", "1", "--out", join(out, "x.onnx")]), /^fossil: 1 human game of go:9: none can be held out for validation \(--validation 0 trains without a validation set\)$/m);
    expect(readdirSync(out)).toEqual([]);
  });
});

describe("fossil train sl tells the truth about what it wrote", () => {
  it("stops a diverging run (--lr 1e6) with an error and saves nothing as best", () => {
    const out = folder("diverge");
    const r = runCli([...tiny, "--lr", "1e6", "--epochs", "2", "--out", join(out, "x.onnx")]);
    expectRefusal(r, /^fossil: training diverged in epoch 1, step \d+: loss .*; nothing of epoch 1 was saved\. Lower the learning rate \(--lr, now 1000000\)$/m);
    expect(readdirSync(out)).toEqual([]);
  });

  it("--validation 0 trains without a validation set and saves every epoch's network as the model, saying so", () => {
    const out = folder("novalidation");
    const model = join(out, "x.onnx");
    const r = runCli([...tiny, "--validation", "0", "--epochs", "2", "--out", model]);
    expect(r.stderr).toMatch(/epoch 1: train loss \d+\.\d+, 352 samples at \d+\/s; no validation \(saved\)\nepoch 2: .*no validation \(saved\)\n/);
    expect(r.stdout).toBe(`trained on 12 games, no validation set (--validation 0); model: ${model} (the network after epoch 2)\n`);
    expect(r.status).toBe(0);
    expect(readModelFile(model).info.metadata["fossil.epoch"]).toBe("2");
    expect(readModelFile(model).info.step).toBe(readModelFile(lastPath(model)).info.step);
  });

  it("a resumed run refuses other --blocks/--filters/--lr (naming them), keeps its own settings otherwise, and says when nothing is left to do", () => {
    const out = folder("resume");
    const model = join(out, "x.onnx");
    const first = runCli([...tiny, "--epochs", "1", "--out", model]);
    expect(first.stdout).toMatch(/^trained on 11 games, validated on 1 \(30 positions\); best model: .*x\.onnx \(epoch 1, validation loss \d+\.\d+\)\n$/);
    const before = snapshot(model);
    const changed = runCli(["train", "sl", "--db", db, "--game", "go:9", "--blocks", "2", "--filters", "8", "--lr", "0.1", "--epochs", "2", "--out", model]);
    expectRefusal(changed, /--blocks 2, --lr 0\.1 differ from the run being resumed from .*x\.last\.onnx \(--blocks 1, --lr 0\.02\); a resumed run keeps its settings: .*start afresh: delete .*x\.last\.onnx and .*x\.last\.state, or choose another --out/);
    expect(snapshot(model)).toEqual(before);
    // Left out, the settings are the run's (not the defaults, blocks 4 and batch 128).
    const resumed = runCli(["train", "sl", "--db", db, "--game", "go:9", "--epochs", "2", "--out", model]);
    expect(resumed.stderr).toMatch(/^resuming .*x\.last\.onnx after epoch 1, with its settings: --blocks 1 --filters 8 --lr 0\.02 --batch 16 /);
    expect(resumed.stderr).toMatch(/epoch 2: train loss \d+\.\d+, 320 samples/);
    expect(resumed.status).toBe(0);
    const done = runCli([...tiny, "--epochs", "2", "--out", model]);
    expect(done.stdout).toMatch(/^nothing to train: the run in .*x\.last\.onnx has done 2 epochs of --epochs 2; best model: .*x\.onnx \(epoch \d/);
    expect(done.status).toBe(0);
    // Half a checkpoint is not resumed from, nor overwritten.
    rmSync(join(out, "x.last.state"));
    expectRefusal(runCli([...tiny, "--epochs", "3", "--out", model]), /x\.last\.onnx exists without .*x\.last\.state: cannot resume from half a checkpoint/);
  });
});

describe("the training loop", () => {
  const game = parseGameSpec("go:5");
  const run = (out: string): TrainingRun => ({ game, blocks: 1, filters: 8, learningRate: 0.01, epochs: 3, patience: 3, seed: 1, run: "t", out });
  /** Two synthetic batches an epoch; from epoch `poisonFrom` (0-based) on, their value targets are NaN. */
  function batches(poisonFrom: number): TrainingSource {
    let epochs = 0;
    return {
      epoch: function* () {
        const epoch = epochs++;
        for (let i = 0; i < 2; i++) {
          const batch = randomBatch(game, 8, Rng.fromSeed(i));
          if (epoch >= poisonFrom) batch.value.fill(NaN);
          yield batch;
        }
      },
      validation: randomBatch(game, 16, Rng.fromSeed(99)),
    };
  }

  it("stops when the loss turns NaN in a later epoch, leaving the earlier epoch's files as they were", async () => {
    const out = join(folder("loop-nan"), "x.onnx");
    let snap: Record<string, string> = {};
    const epochs: number[] = [];
    const error = await train(run(out), batches(1), () => {}, (e) => {
      epochs.push(e.epoch);
      snap = snapshot(out);
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/^training diverged in epoch 2, step 1: loss NaN .*nothing of epoch 2 was saved \(.*x\.last\.onnx holds epoch 1\)/);
    expect(epochs).toEqual([1]);
    expect(snapshot(out)).toEqual(snap);
  });

  it("refuses an epoch without a full batch, and zero epochs", async () => {
    const out = join(folder("loop-empty"), "x.onnx");
    const empty: TrainingSource = { epoch: () => [], validation: randomBatch(game, 4, Rng.fromSeed(1)) };
    await expect(train(run(out), empty, () => {}, () => {})).rejects.toThrow(/epoch 1 drew no full batch/);
    await expect(train({ ...run(out), epochs: 0 }, empty, () => {}, () => {})).rejects.toThrow(/epochs must be a whole number of at least 1, got 0/);
    expect(readdirSync(join(dir, "loop-empty"))).toEqual([]);
  });
});
