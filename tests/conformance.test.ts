/**
 * The contract of the Game interface, checked on every game over seeded random playouts
 * (DESIGN.md §4). Feature encoding joins these checks with the networks.
 */
import { describe, expect, it } from "vitest";
import type { Game, GameState } from "../games/game.js";
import { Connect4Game } from "../games/connect4/game.js";
import { Connect4State } from "../games/connect4/state.js";
import { hasFour } from "../games/connect4/bitboard.js";
import { GoGame } from "../games/go/game.js";
import { GoState } from "../games/go/state.js";
import { IllegalMoveError, InputError } from "../core/errors.js";
import { parseGameSpec } from "../games/index.js";
import { Rng } from "../core/rng.js";

interface Case {
  game: Game;
  games: number;
  /** Game-specific check that the outcome agrees with the final position. */
  checkOutcome(state: GameState): void;
}

const goOutcome = (state: GameState): void => {
  const s = state as GoState;
  const o = s.outcome()!;
  const [black, white] = s.board.area();
  expect(o.score).toBe(black - white - s.rules.komi);
  expect(o.winner).toBe(o.score > 0 ? 0 : o.score < 0 ? 1 : null);
};

const cases: Case[] = [
  { game: new GoGame(2), games: 60, checkOutcome: goOutcome },
  { game: new GoGame(5), games: 40, checkOutcome: goOutcome },
  { game: new GoGame(9), games: 10, checkOutcome: goOutcome },
  {
    game: new Connect4Game(),
    games: 200,
    checkOutcome: (state) => {
      const s = state as Connect4State;
      const o = s.outcome()!;
      const moverLo = s.curLo ^ s.maskLo, moverHi = s.curHi ^ s.maskHi;
      if (o.winner === null) {
        expect(s.moveCount).toBe(42);
        expect(hasFour(moverLo, moverHi)).toBe(false);
      } else {
        // The player who made the last move won.
        expect(o.winner).toBe(1 - s.toPlay);
        expect(hasFour(moverLo, moverHi)).toBe(true);
        expect(hasFour(s.curLo, s.curHi)).toBe(false);
      }
    },
  },
];

function legalActions(mask: Uint8Array): number[] {
  const out: number[] = [];
  mask.forEach((v, a) => {
    if (v === 1) out.push(a);
  });
  return out;
}

/** A random game: the actions played and the states seen before each of them. */
function randomGame(game: Game, rng: Rng): number[] {
  const state = game.newState();
  const actions: number[] = [];
  while (state.outcome() === null) {
    const legal = legalActions(state.legalMask());
    const a = legal[rng.int(legal.length)]!;
    actions.push(a);
    state.play(a);
  }
  return actions;
}

describe.each(cases)("conformance: $game.id", ({ game, games, checkOutcome }) => {
  it("legal masks, terminal states and outcomes agree", () => {
    const rng = Rng.fromSeed(1).split(game.id);
    for (let g = 0; g < games; g++) {
      const state = game.newState();
      expect(state.moveCount).toBe(0);
      expect(state.toPlay).toBe(0);
      for (;;) {
        const mask = state.legalMask();
        expect(mask.length).toBe(game.actionCount);
        expect(mask.every((v) => v === 0 || v === 1)).toBe(true);
        const legal = legalActions(mask);
        for (let a = 0; a < game.actionCount; a++) expect(state.isLegal(a)).toBe(mask[a] === 1);
        const outcome = state.outcome();
        // Terminal iff no legal move.
        expect(outcome === null).toBe(legal.length > 0);
        if (outcome !== null) {
          checkOutcome(state);
          break;
        }
        // An illegal action throws and changes nothing.
        const illegal = mask.indexOf(0);
        if (illegal >= 0) {
          const before = state.hash();
          expect(() => state.play(illegal)).toThrow(IllegalMoveError);
          expect(state.hash()).toBe(before);
        }
        expect(() => state.play(game.actionCount)).toThrow(IllegalMoveError);
        const mover = state.toPlay;
        const count = state.moveCount;
        const before = state.cells();
        const action = legal[rng.int(legal.length)]!;
        state.play(action);
        expect(state.moveCount).toBe(count + 1);
        expect(state.toPlay).toBe(1 - mover);
        // The cells (the viewer's board): the mover has one stone more (none after a pass), on a
        // cell that was empty; the other side has none more (Go may have taken some).
        const after = state.cells();
        expect(after.length).toBe(game.height * game.width);
        const stones = (cells: Uint8Array, side: number): number => cells.filter((v) => v === side + 1).length;
        const placed = game.actionText(action) === "pass" ? 0 : 1;
        expect(stones(after, mover)).toBe(stones(before, mover) + placed);
        expect(stones(after, 1 - mover)).toBeLessThanOrEqual(stones(before, 1 - mover));
        expect(after.every((v, c) => v === 0 || v === before[c] || before[c] === 0)).toBe(true);
      }
    }
  });

  it("clone() is deep: neither copy sees the other's moves", () => {
    const rng = Rng.fromSeed(2).split(game.id);
    for (let g = 0; g < Math.ceil(games / 2); g++) {
      const state = game.newState();
      while (state.outcome() === null) {
        const copy = state.clone();
        expect(copy.hash()).toBe(state.hash());
        expect(copy.legalMask()).toEqual(state.legalMask());
        const hash = state.hash(), mask = state.legalMask(), count = state.moveCount;
        // Play the copy to the end: the original must not change.
        while (copy.outcome() === null) {
          const legal = legalActions(copy.legalMask());
          copy.play(legal[rng.int(legal.length)]!);
        }
        expect(state.hash()).toBe(hash);
        expect(state.legalMask()).toEqual(mask);
        expect(state.moveCount).toBe(count);
        // copyFrom into a state from elsewhere in a game gives the same independent copy.
        const other = game.newState();
        const legal0 = legalActions(other.legalMask());
        other.play(legal0[rng.int(legal0.length)]!);
        other.copyFrom(state);
        expect(other.hash()).toBe(hash);
        expect(other.legalMask()).toEqual(mask);
        expect(other.moveCount).toBe(count);
        expect(other.outcome()).toEqual(state.outcome());
        const otherLegal = legalActions(other.legalMask());
        other.play(otherLegal[rng.int(otherLegal.length)]!);
        expect(state.hash()).toBe(hash);
        // And a move on the original leaves a fresh copy alone.
        const copy2 = state.clone();
        const hash2 = copy2.hash();
        const legal = legalActions(mask);
        state.play(legal[rng.int(legal.length)]!);
        expect(copy2.hash()).toBe(hash2);
        expect(copy2.moveCount).toBe(count);
      }
    }
  });

  it("symmetries permute actions consistently with the rules", () => {
    const syms = game.symmetries;
    expect(syms.length).toBe(game.id === "connect4" ? 2 : 8);
    const identity = syms[0]!;
    identity.forEach((v, a) => expect(v).toBe(a));
    for (const sym of syms) {
      expect(sym.length).toBe(game.actionCount);
      expect(new Set(sym).size).toBe(game.actionCount); // a permutation
    }
    const rng = Rng.fromSeed(3).split(game.id);
    for (let g = 0; g < Math.ceil(games / 4); g++) {
      const actions = randomGame(game, rng);
      for (const sym of syms) {
        const original = game.newState();
        const image = game.newState();
        const cellSym = game.cellSymmetries[syms.indexOf(sym)]!;
        const cells = game.height * game.width;
        const planes = new Float32Array(game.planes * cells), imagePlanes = new Float32Array(game.planes * cells);
        const checkPlanes = (): void => {
          game.encode(original, planes);
          game.encode(image, imagePlanes);
          for (let k = 0; k < game.planes; k++) {
            for (let c = 0; c < cells; c++) {
              if (imagePlanes[k * cells + cellSym[c]!] !== planes[k * cells + c]) {
                expect.fail(`plane ${k}, cell ${c}: symmetry ${syms.indexOf(sym)} maps ${planes[k * cells + c]} to ${imagePlanes[k * cells + cellSym[c]!]}`);
              }
            }
          }
        };
        for (const a of actions) {
          const m = original.legalMask(), mi = image.legalMask();
          for (let b = 0; b < game.actionCount; b++) expect(mi[sym[b]!]).toBe(m[b]);
          checkPlanes();
          original.play(a);
          image.play(sym[a]!);
        }
        checkPlanes();
        expect(image.outcome()).toEqual(original.outcome());
      }
    }
  });

  it("encodes positions as finite planes whose stone planes match the board", () => {
    const rng = Rng.fromSeed(4).split(game.id);
    const cells = game.height * game.width;
    expect(game.cellSymmetries.length).toBe(game.symmetries.length);
    for (const cellSym of game.cellSymmetries) expect(new Set(cellSym).size).toBe(cells);
    const out = new Float32Array(game.planes * cells + 3).fill(7);
    for (let g = 0; g < Math.ceil(games / 4); g++) {
      const state = game.newState();
      for (;;) {
        game.encode(state, out, 1);
        expect(out[0]).toBe(7); // nothing written outside its range
        expect(out[out.length - 2]).toBe(7);
        const planes = out.subarray(1, 1 + game.planes * cells);
        expect(planes.every((v) => Number.isFinite(v))).toBe(true);
        // Own and opponent stones never overlap and, with their count, follow the move count.
        let stones = 0;
        for (let c = 0; c < cells; c++) {
          expect(planes[c]! + planes[cells + c]!).toBeLessThanOrEqual(1);
          stones += planes[c]! + planes[cells + c]!;
        }
        expect(stones).toBeLessThanOrEqual(state.moveCount);
        if (state.outcome() !== null) break;
        const mask = state.legalMask();
        const legal = [...mask.keys()].filter((a) => mask[a] === 1);
        state.play(legal[rng.int(legal.length)]!);
      }
    }
  });

  it("action text round-trips", () => {
    for (let a = 0; a < game.actionCount; a++) expect(game.parseAction(game.actionText(a))).toBe(a);
  });

  it("the same seed plays the same game", () => {
    const a = randomGame(game, Rng.fromSeed(9));
    const b = randomGame(game, Rng.fromSeed(9));
    expect(b).toEqual(a);
  });
});

describe("game specs", () => {
  it("parses the command-line names of games", () => {
    expect(parseGameSpec("go:7").id).toBe("go:7");
    expect((parseGameSpec("go:9:chinese:7.5") as GoGame).params.rules).toEqual({ name: "chinese", ko: "positional-superko", komi: 7.5 });
    expect((parseGameSpec("go:5:japanese") as GoGame).params.rules.komi).toBe(6.5);
    expect(parseGameSpec("C4").id).toBe("connect4");
    for (const bad of ["go", "go:1", "go:20", "go:x", "go:9:fancy", "go:9:chinese:abc", "chess", "connect4:7"]) {
      expect(() => parseGameSpec(bad)).toThrow(InputError);
    }
  });
});
