import { describe, expect, it } from "vitest";
import { Rng } from "../core/rng.js";
import { FossilError, IllegalMoveError, formatWhere } from "../core/errors.js";
import { outcomeFromScore, resultText, valueFor } from "../core/player.js";

describe("Rng", () => {
  it("repeats a stream from the same seed and differs across seeds", () => {
    const a = Rng.fromSeed(42), b = Rng.fromSeed(42), c = Rng.fromSeed(43);
    const xs = Array.from({ length: 100 }, () => a.u32());
    expect(Array.from({ length: 100 }, () => b.u32())).toEqual(xs);
    expect(Array.from({ length: 100 }, () => c.u32())).not.toEqual(xs);
    expect(Rng.fromSeed("run-7").u32()).not.toBe(Rng.fromSeed("run-8").u32());
  });

  it("splits by label, independently of what the parent drew", () => {
    const parent = Rng.fromSeed(1);
    const child1 = parent.split("worker", 3).u32();
    for (let i = 0; i < 50; i++) parent.u32();
    expect(parent.split("worker", 3).u32()).toBe(child1);
    expect(parent.split("worker", 4).u32()).not.toBe(child1);
    expect(parent.split("game", 3).u32()).not.toBe(child1);
    expect(parent.split("worker", 3).split("game", 0).u32()).not.toBe(parent.split("worker", 3).u32());
  });

  it("restores a saved state exactly", () => {
    const rng = Rng.fromSeed(9);
    for (let i = 0; i < 17; i++) rng.float();
    const saved = rng.getState();
    const next = Array.from({ length: 10 }, () => rng.u32());
    const restored = Rng.fromState(saved);
    expect(Array.from({ length: 10 }, () => restored.u32())).toEqual(next);
    expect(restored.split("x").u32()).toBe(Rng.fromState(saved).split("x").u32());
  });

  it("draws integers uniformly in range", () => {
    const rng = Rng.fromSeed(5);
    const counts = new Array(7).fill(0);
    const n = 70_000;
    for (let i = 0; i < n; i++) counts[rng.int(7)]++;
    // Chi-square with 6 degrees of freedom; 22.46 is the 0.999 quantile.
    const expected = n / 7;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(22.46);
    expect(() => rng.int(0)).toThrow(RangeError);
  });

  it("floats lie in [0, 1) with the right mean; Dirichlet samples sum to 1", () => {
    const rng = Rng.fromSeed(6);
    let sum = 0;
    for (let i = 0; i < 20_000; i++) {
      const x = rng.float();
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
    }
    expect(Math.abs(sum / 20_000 - 0.5)).toBeLessThan(0.01);
    const d = rng.dirichlet(0.3, 10);
    expect(d.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    // Gamma(k) has mean k.
    let g = 0;
    for (let i = 0; i < 20_000; i++) g += rng.gamma(2.5);
    expect(Math.abs(g / 20_000 - 2.5)).toBeLessThan(0.06);
  });
});

describe("outcomes and errors", () => {
  it("converts outcomes to values for each side and to SGF results", () => {
    const w = outcomeFromScore(-3.5, "score");
    expect(w.winner).toBe(1);
    expect(valueFor(w, 1)).toBe(1);
    expect(valueFor(w, 0)).toBe(-1);
    expect(resultText(w)).toBe("W+3.5");
    expect(resultText(outcomeFromScore(12, "score"))).toBe("B+12");
    const draw = outcomeFromScore(0, "score");
    expect(draw.winner).toBeNull();
    expect(valueFor(draw, 0)).toBe(0);
    expect(resultText(draw)).toBe("0");
    expect(resultText({ winner: 0, score: NaN, reason: "resign" })).toBe("B+R");
  });

  it("formats where an error happened", () => {
    expect(formatWhere({ file: "a.sgf", line: 3, column: 7 })).toBe("a.sgf:3:7");
    expect(new IllegalMoveError("ko", { file: "g.sgf", game: 2, move: 17, moveText: "B C3" }).message).toBe("g.sgf: game 2, move 17 (B C3): illegal: ko");
    const e = new FossilError("bad thing", { line: 4 }).at({ file: "x.txt" });
    expect(e.message).toBe("x.txt:4: bad thing");
    expect(e).toBeInstanceOf(FossilError);
  });
});

describe("SGF result text", () => {
  it("parses what resultText writes, and the other forms records use", async () => {
    const { parseResultText } = await import("../core/player.js");
    for (const o of [outcomeFromScore(3.5, "score"), outcomeFromScore(-12, "score"), outcomeFromScore(0, "score"), { winner: 1, score: NaN, reason: "resign" } as const]) {
      expect(resultText(parseResultText(resultText(o))!)).toBe(resultText(o));
    }
    expect(parseResultText("W+3.5")).toEqual({ winner: 1, score: -3.5, reason: "score" });
    expect(parseResultText("b+resign")).toEqual({ winner: 0, score: NaN, reason: "resign" });
    expect(parseResultText("W+T")?.reason).toBe("timeout");
    expect(parseResultText("Draw")).toEqual({ winner: null, score: 0, reason: "score" });
    expect(parseResultText("Void")).toBeNull();
    expect(parseResultText("?")).toBeNull();
  });
});
