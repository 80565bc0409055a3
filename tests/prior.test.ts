/** Supervised pretraining on prior games stored in the database. */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Rng } from "../core/rng.js";
import { splitByGame } from "../src/train/dataset.js";
import { readModelFile } from "../models/onnx/read.js";
import { runCli } from "./helpers/cli.js";
import { itNeeds, needs } from "./helpers/needs.js";
import { sharedFile } from "./helpers/paths.js";

const dir = mkdtempSync(join(tmpdir(), "fossil-prior-"));

describe("fossil train sl", () => {
  it("splits by game, never by position", () => {
    const games = [...Array(100).keys()];
    const { train, validation } = splitByGame(games, 0.1, Rng.fromSeed(1));
    expect(validation.length).toBe(10);
    expect(train.length).toBe(90);
    expect(new Set([...train, ...validation]).size).toBe(100);
  });

  itNeeds(needs.sharedData)("trains on imported human games, keeps the best model and resumes from the latest state", () => {
    const db = join(dir, "prior.db");
    expect(runCli(["data", "import", "--db", db, sharedFile("go9-ogs-human/part-02.sgf"), sharedFile("go-solved")]).status).toBe(0);
    const out = join(dir, "sl.onnx");
    const args = ["train", "sl", "--db", db, "--game", "go:9", "--source", "human", "--blocks", "1", "--filters", "8", "--batch", "64", "--max-games", "80", "--validation", "0.1"];
    const first = runCli([...args, "--epochs", "1", "--out", out]);
    expect(first.stderr).toMatch(/epoch 1: train loss \d+\.\d+, \d+ samples at \d+\/s; validation loss \d+\.\d+, top-1 \d+\.\d%, value MSE \d\.\d+ \(best, saved\)/);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^trained on 72 games, validated on 8 \(\d+ positions\); 1 human games of other games or sizes skipped; best model: /);
    expect(existsSync(out)).toBe(true);
    expect(existsSync(join(dir, "sl.last.onnx"))).toBe(true);
    expect(readModelFile(out).info.metadata["fossil.source"]).toBe("human");
    const stepAfterOne = readModelFile(join(dir, "sl.last.onnx")).info.step;
    expect(stepAfterOne).toBeGreaterThan(0);
    // Asking for two epochs now continues from the saved state: only epoch 2 runs.
    const second = runCli([...args, "--epochs", "2", "--out", out]);
    expect(second.status).toBe(0);
    expect(second.stderr).not.toMatch(/epoch 1:/);
    expect(second.stderr).toMatch(/epoch 2:/);
    expect(readModelFile(join(dir, "sl.last.onnx")).info.step).toBe(2 * stepAfterOne); // the same number of steps again
  });

  it("refuses an empty selection instead of training on nothing", () => {
    // A database of human games only (one, written here, so that this runs without the shared data).
    const db = join(dir, "human-only.db"), sgf = join(dir, "human.sgf");
    writeFileSync(sgf, "(;GM[1]FF[4]SZ[9]KM[6.5]PB[ann]PW[bob]BR[3k]WR[3k]RE[B+R];B[ee];W[cc];B[gc];W[cg];B[gg];W[ec];B[dc];W[dd];B[ed];W[cd];B[eg];W[ce])\n");
    expect(runCli(["data", "import", "--db", db, sgf]).stdout).toBe("stored 1 human games, 0 duplicates (same moves) skipped, 0 rejected\n");
    const r = runCli(["train", "sl", "--db", db, "--game", "go:9", "--source", "teacher", "--out", join(dir, "x.onnx")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("fossil: no teacher games of go:9 with moves and a result in the database (0 teacher games in all): nothing to train on\n");
  });
});
