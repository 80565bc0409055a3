import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Connect4Solver } from "../games/connect4/solver.js";
import { Connect4Game } from "../games/connect4/game.js";
import { Connect4State } from "../games/connect4/state.js";
import { scorePosition } from "../games/connect4/solver.js";
import { connect4FromMoves } from "../games/connect4/state.js";
import { InputError } from "../core/errors.js";
import { Rng } from "../core/rng.js";
import { itNeeds, needs } from "./helpers/needs.js";
import { sharedFile } from "./helpers/paths.js";

/** The kind of four-in-a-row through the stone at (col, row) of a plain grid, or null. */
function fourThrough(grid: number[][], col: number, row: number): string | null {
  const who = grid[col]![row]!;
  const at = (c: number, r: number): number => (c >= 0 && c < 7 ? (grid[c]![r] ?? 0) : 0);
  const kinds: [string, number, number][] = [["vertical", 0, 1], ["horizontal", 1, 0], ["diagonal-up", 1, 1], ["diagonal-down", 1, -1]];
  for (const [kind, dc, dr] of kinds) {
    let n = 1;
    for (let k = 1; at(col + k * dc, row + k * dr) === who; k++) n++;
    for (let k = 1; at(col - k * dc, row - k * dr) === who; k++) n++;
    if (n >= 4) return kind;
  }
  return null;
}

function fromMoves(moves: string): Connect4State {
  const s = new Connect4State();
  for (const ch of moves) s.play(Number(ch) - 1);
  return s;
}

describe("Connect Four rules", () => {
  it("counts the positions after n plies: 1, 7, 49, ..., 184275 (OEIS A212693)", () => {
    const expected = [1, 7, 49, 238, 1120, 4263, 16422, 54859, 184275];
    let layer = new Map<bigint, Connect4State>([[0n, new Connect4State()]]);
    const counts = [layer.size];
    for (let ply = 1; ply < expected.length; ply++) {
      const next = new Map<bigint, Connect4State>();
      for (const s of layer.values()) {
        if (s.ended) continue;
        for (let col = 0; col < 7; col++) {
          if (!s.isLegal(col)) continue;
          const t = s.clone();
          t.play(col);
          next.set(t.hash(), t);
        }
      }
      counts.push(next.size);
      layer = next;
    }
    expect(counts).toEqual(expected);
  });

  it("detects four in a row in every direction, as a plain grid model does", () => {
    expect(fromMoves("1212121").outcome()).toEqual({ winner: 0, score: 1, reason: "connect" }); // vertical
    expect(fromMoves("1122334").outcome()?.winner).toBe(0); // horizontal
    expect(fromMoves("112233").won).toBe(false);
    // Checked against a plain 2-D grid model over random games: every kind of line occurs.
    const kinds = new Map<string, number>();
    const rng = Rng.fromSeed(3);
    for (let g = 0; g < 3000; g++) {
      const s = new Connect4State();
      const grid = Array.from({ length: 7 }, () => [] as number[]);
      while (!s.ended) {
        const legal = [0, 1, 2, 3, 4, 5, 6].filter((c) => s.isLegal(c));
        expect(legal).toEqual([0, 1, 2, 3, 4, 5, 6].filter((c) => grid[c]!.length < 6));
        const col = legal[rng.int(legal.length)]!;
        const who = s.toPlay + 1;
        s.play(col);
        grid[col]!.push(who);
        const row = grid[col]!.length - 1;
        const line = fourThrough(grid, col, row);
        expect(s.won).toBe(line !== null);
        if (line) kinds.set(line, (kinds.get(line) ?? 0) + 1);
        expect(s.cell(col, row)).toBe(who);
      }
      if (!s.won) expect(s.moveCount).toBe(42);
    }
    expect([...kinds.keys()].sort()).toEqual(["diagonal-down", "diagonal-up", "horizontal", "vertical"]);
  });

  it("refuses a full column and moves after the end", () => {
    const s = fromMoves("111111");
    expect(s.illegalReason(0)).toBe("full-column");
    expect(() => s.play(0)).toThrow(/full-column/);
    expect(fromMoves("1212121").illegalReason(3)).toBe("game-over");
    expect(() => connect4FromMoves("1218")).toThrow(InputError);
    expect(() => connect4FromMoves("1218")).toThrow("invalid column '8' at move 4");
    expect(() => connect4FromMoves("1111111")).toThrow("column 1 is full at move 7");
    expect(() => connect4FromMoves("12121213")).toThrow("move 8 (column 3) comes after the game ended with four in a row at move 7");
  });

  it("scores a finished game as the loss of the side to move", () => {
    const solver = new Connect4Solver(16);
    // The first player won with its 4th stone: 22 - 4 = 18 for the winner.
    expect(scorePosition(connect4FromMoves("1212121"), solver)).toBe(-18);
  });
});

describe("Connect Four solver", () => {
  const solver = new Connect4Solver();
  for (const file of ["Test_L3_R1", "Test_L2_R1"]) {
    itNeeds(needs.sharedData)(`is exact on every line of ${file}`, () => {
      const lines = readFileSync(sharedFile(`connect4/${file}`), "utf8").trim().split("\n");
      expect(lines.length).toBe(1000);
      let wrong = 0;
      const examples: string[] = [];
      for (const line of lines) {
        const [moves, score] = line.trim().split(/\s+/);
        const got = solver.solve(fromMoves(moves!));
        if (got !== Number(score)) {
          wrong++;
          if (examples.length < 5) examples.push(`${moves}: expected ${score}, got ${got}`);
        }
      }
      expect(examples).toEqual([]);
      expect(wrong).toBe(0);
    });
  }

  itNeeds(needs.sharedData)("analyses every column consistently with the solve of the position", () => {
    const lines = readFileSync(sharedFile("connect4/Test_L2_R1"), "utf8").trim().split("\n").slice(0, 40);
    for (const line of lines) {
      const [moves, score] = line.trim().split(/\s+/);
      const scores = solver.analyze(fromMoves(moves!)).filter((s): s is number => s !== null);
      expect(Math.max(...scores)).toBe(Number(score));
    }
  });

  itNeeds(needs.sharedData)("finds every best column (one exact solve, null-window tests for the others) as the full analysis does", () => {
    const lines = ["Test_L2_R1", "Test_L3_R1"].flatMap((file) => readFileSync(sharedFile(`connect4/${file}`), "utf8").trim().split("\n").slice(0, 60));
    for (const line of lines) {
      const state = fromMoves(line.split(" ")[0]!);
      const scores = solver.analyze(state);
      const best = Math.max(...scores.filter((s): s is number => s !== null));
      expect(solver.bestMoves(state), line).toEqual({ score: best, moves: scores.flatMap((s, col) => (s === best ? [col] : [])) });
    }
  });

  it("has a game interface with a left-right mirror symmetry", () => {
    const game = new Connect4Game();
    expect(game.actionText(0)).toBe("1");
    expect(game.parseAction("7")).toBe(6);
    expect(() => game.parseAction("8")).toThrow(InputError);
    // Mirrored positions have the same value.
    const a = fromMoves("4455321"), b = fromMoves("4433567");
    expect(solver.solve(a)).toBe(solver.solve(b));
  });
});
