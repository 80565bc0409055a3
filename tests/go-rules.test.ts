import { describe, expect, it } from "vitest";
import { Board, BLACK_STONE, WHITE_STONE, type StoneColor } from "../games/go/board.js";
import { GoGame } from "../games/go/game.js";
import { parseGoAction } from "../games/go/coords.js";
import { makeRules } from "../games/go/rules.js";
import { GoState } from "../games/go/state.js";
import { IllegalMoveError } from "../core/errors.js";
import { Rng } from "../core/rng.js";
import { ascii, checkInvariants, playAll, position } from "./helpers/go.js";

const at = (state: GoState, text: string): number => parseGoAction(text, state.size);

describe("Go captures", () => {
  it("captures a single stone", () => {
    const s = position(`
      . X . .
      X O X .
      . . . .
      . . . .`);
    playAll(s, ["B2"]);
    expect(s.board.toString()).toBe(ascii(`
      . X . .
      X . X .
      . X . .
      . . . .`));
    expect(s.board.stones[WHITE_STONE]).toBe(0);
  });

  it("captures a chain along the edge and in the corner", () => {
    const s = position(`
      O O X .
      X . . .
      . . . .
      . . . .`);
    playAll(s, ["B3"]);
    expect(s.board.toString()).toBe(ascii(`
      . . X .
      X X . .
      . . . .
      . . . .`));
    checkInvariants(s.board);
  });

  it("captures two enemy chains at once, restoring liberties to the capturer", () => {
    const s = position(`
      . X O X .
      . X O X .
      X O . O X
      . X O X .
      . . X . .`);
    playAll(s, ["C3"]);
    expect(s.board.toString()).toBe(ascii(`
      . X . X .
      . X . X .
      X . X . X
      . X . X .
      . . X . .`));
    checkInvariants(s.board);
  });
});

describe("Go suicide", () => {
  it("forbids single-stone suicide", () => {
    const s = position(`
      . O . .
      O . . .
      . . . .
      . . . .`);
    expect(s.illegalReason(at(s, "A4"))).toBe("suicide");
    expect(() => s.play(at(s, "A4"))).toThrow(IllegalMoveError);
    expect(s.moveCount).toBe(0);
  });

  it("forbids multi-stone suicide", () => {
    const s = position(`
      X . O .
      O O O .
      . . . .
      . . . .`);
    expect(s.illegalReason(at(s, "B4"))).toBe("suicide");
  });

  it("allows a move without liberties when it captures", () => {
    const s = position(`
      . O X .
      O X . .
      X . . .
      . . . .`);
    // Black A4 has no empty neighbour but takes the last liberty of White B4 and A3? A3 is at (0,1).
    expect(s.illegalReason(at(s, "A4"))).toBeNull();
    playAll(s, ["A4"]);
    expect(s.board.toString()).toBe(ascii(`
      X . X .
      . X . .
      X . . .
      . . . .`));
    checkInvariants(s.board);
  });

  it("answers for the side to move when it is set directly after a mask was read", () => {
    // A4 is suicide for Black and White's own eye, legal for White. Setting toPlay (as replays
    // and GTP do) must not leave Black's answer in place.
    const s = position(`
      . O . .
      O . . .
      . . . .
      . . . .`);
    const a4 = at(s, "A4");
    expect(s.legalMask()[a4]).toBe(0);
    s.toPlay = 1;
    expect(s.legalMask()[a4]).toBe(1);
    expect(s.searchMask()[a4]).toBe(0); // White's own eye: legal, but the search does not fill it
    s.toPlay = 0;
    expect(s.legalMask()[a4]).toBe(0);
  });

  it("reports occupied points and points off the board", () => {
    const s = position(`
      X .
      . .`);
    expect(s.illegalReason(at(s, "A2"))).toBe("occupied");
    expect(s.illegalReason(5)).toBe("off-board");
    expect(s.illegalReason(-1)).toBe("off-board");
  });
});

describe("Go ko and superko", () => {
  const koShape = `
    . X O .
    X O . O
    . X O .
    . . . .`;

  it("forbids the immediate recapture of a ko", () => {
    const s = position(koShape);
    playAll(s, ["C3"]); // Black takes the white stone at B3
    expect(s.board.toString()).toBe(ascii(`
      . X O .
      X . X O
      . X O .
      . . . .`));
    expect(s.illegalReason(at(s, "B3"))).toBe("ko");
    expect(s.legalMask()[at(s, "B3")]).toBe(0);
    // After a move elsewhere by each side the recapture is legal.
    playAll(s, ["D1", "A1"]);
    expect(s.illegalReason(at(s, "B3"))).toBeNull();
    playAll(s, ["B3"]);
    expect(s.board.toString()).toBe(ascii(`
      . X O .
      X O . O
      . X O .
      X . . O`));
    checkInvariants(s.board);
  });

  it("under simple-ko rules only the immediate recapture is forbidden", () => {
    const s = position(koShape, { rules: "japanese" });
    playAll(s, ["C3"]);
    expect(s.illegalReason(at(s, "B3"))).toBe("ko");
    // In a game resumed after two passes the ko may be retaken at once under simple ko...
    playAll(s, ["pass", "pass"]);
    s.resume();
    expect(s.illegalReason(at(s, "B3"))).toBeNull();
    // ...but not under positional superko: the position would repeat.
    const psk = position(koShape);
    playAll(psk, ["C3", "pass", "pass"]);
    psk.resume();
    expect(psk.illegalReason(at(psk, "B3"))).toBe("superko");
  });

  /**
   * Positional superko, checked against an independent record: every board string of the game.
   * A move is superko-illegal exactly when the board after it (computed on a copy of the raw
   * board) equals an earlier board other than the one before the opponent's last move. The game
   * goes on now and then in a clone, or in a state of its own past copied over (`copyFrom`): the
   * history travels whole.
   */
  it("forbids every repetition of an earlier position, and only those", () => {
    let superkoSeen = 0, koSeen = 0;
    for (let g = 0; g < 60; g++) {
      const rng = Rng.fromSeed(7).split("superko", g);
      const size = 2 + (g % 3);
      let s = new GoState(size, { moveCap: 120 });
      // A shorter game's state: copying into it must grow its history.
      let spare = new GoState(size, { moveCap: 4 });
      const history: string[] = [s.board.toString()];
      while (!s.ended) {
        const color = (s.toPlay + 1) as StoneColor;
        for (let a = 0; a < size * size; a++) {
          const p = s.board.pointOfAction(a);
          if (s.board.color[p] !== 0 || s.board.isSuicide(p, color)) continue;
          const copy = s.board.clone();
          copy.play(p, color);
          const after = copy.toString();
          const idx = history.lastIndexOf(after);
          const reason = s.illegalReason(a);
          if (idx < 0) expect(reason).toBeNull();
          else {
            expect(reason).toBe(idx === history.length - 2 && s.lastAction !== size * size ? "ko" : "superko");
            if (reason === "superko") superkoSeen++;
            else koSeen++;
          }
        }
        const mask = s.legalMask();
        const legal = [...mask.keys()].filter((a) => mask[a] === 1);
        // Pass rarely, so that cycles get a chance to form.
        const choices = legal.length > 1 ? legal.filter((a) => a !== size * size) : legal;
        const action = choices[rng.int(choices.length)]!;
        s.play(action);
        if (action !== size * size) history.push(s.board.toString());
        checkInvariants(s.board);
        const carry = rng.int(6);
        if (carry === 0) s = s.clone();
        else if (carry === 1) {
          spare.copyFrom(s);
          [s, spare] = [spare, s];
        }
      }
    }
    expect(koSeen).toBeGreaterThan(10);
    expect(superkoSeen).toBeGreaterThan(10);
  });
});

describe("Go passes, move cap and scoring", () => {
  it("ends after two consecutive passes and then refuses moves", () => {
    const game = new GoGame(5, { rules: makeRules("tromp-taylor", 0.5) });
    const s = game.newState();
    playAll(s, ["C3", "pass", "D3", "pass"]);
    expect(s.ended).toBe(false);
    playAll(s, ["pass"]);
    expect(s.ended).toBe(true);
    expect([...s.legalMask()].every((v) => v === 0)).toBe(true);
    expect(s.illegalReason(0)).toBe("game-over");
    expect(s.outcome()).toEqual({ winner: 0, score: 24.5, reason: "score" });
  });

  it("a pass between moves does not end the game", () => {
    const s = new GoGame(5).newState();
    playAll(s, ["pass", "C3", "pass"]);
    expect(s.ended).toBe(false);
  });

  it("ends at the move cap and scores the board as it stands", () => {
    const s = new GoState(5, { moveCap: 3, rules: makeRules("tromp-taylor", 0) });
    playAll(s, ["A1", "E5", "A2"]);
    expect(s.ended).toBe(true);
    const o = s.outcome()!;
    expect(o.reason).toBe("move-cap");
    expect(o.score).toBe(0 + 2 - 1); // only stones count: no empty region reaches one colour only
  });

  it("counts stones plus empty regions reaching only one colour (Tromp-Taylor)", () => {
    const s = position(`
      . X O . .
      X X O . .
      . X O O O
      X X O . O
      . X O O .`, { komi: 0.5 });
    // Black: 7 stones + A5, A3, A1 = 10. White: 9 stones + the D5-E4 region (4) + D2 + E1 = 15.
    expect(s.board.area()).toEqual([10, 15]);
    expect(s.score()).toBe(-5.5);
  });

  it("leaves regions touching both colours to nobody", () => {
    const s = position(`
      . . .
      X . O
      . . .`);
    expect(s.board.area()).toEqual([1, 1]);
  });

  it("scores an empty board as a komi win for White and an exact tie as 0", () => {
    expect(new GoState(3, { rules: makeRules("tromp-taylor", 7) }).score()).toBe(-7);
    const s = position(`
      X . O
      X . O
      X . O`);
    expect(s.board.area()).toEqual([3, 3]);
    expect(s.score()).toBe(0);
    expect(s.outcome()).toBeNull();
  });
});

describe("Go board internals", () => {
  it("keeps chains, liberties and hashes exact through random games", () => {
    for (let g = 0; g < 40; g++) {
      const rng = Rng.fromSeed(11).split(g);
      const size = [2, 3, 5, 7, 9, 13, 19][g % 7]!;
      const s = new GoState(size, { moveCap: 3 * size * size });
      let steps = 0;
      while (!s.ended) {
        const mask = s.legalMask();
        const legal = [...mask.keys()].filter((a) => mask[a] === 1 && a !== size * size);
        s.play(legal.length > 0 && rng.float() < 0.97 ? legal[rng.int(legal.length)]! : size * size);
        if (size <= 9 || steps++ % 10 === 0) checkInvariants(s.board);
      }
      checkInvariants(s.board);
    }
  });

  it("gives the same hash to the same position reached by different move orders", () => {
    const a = new GoGame(7).newState(), b = new GoGame(7).newState();
    playAll(a, ["C3", "D4", "E5", "B2"]);
    playAll(b, ["E5", "B2", "C3", "D4"]);
    expect(a.hash()).toBe(b.hash());
    const c = new GoGame(7).newState();
    playAll(c, ["D4", "C3", "E5", "B2"]); // C3 and D4 with colours swapped
    expect(c.hash()).not.toBe(a.hash());
  });

  it("rebuilds setup positions and rejects chains without liberties", () => {
    const b = new Board(3);
    expect(b.setPosition([1, 2, 0, 2, 0, 0, 0, 0, 0])).toBe(false); // black corner stone with no liberty
    expect(b.toString()).toBe("...\n...\n...");
    expect(b.setPosition([1, 2, 0, 0, 0, 0, 0, 0, 0])).toBe(true);
    expect(b.libs[b.head[b.point(0, 0)]!]).toBe(1);
    checkInvariants(b);
  });
});

/**
 * The number of legal positions (every chain has a liberty) of the 2x2 and 3x3 boards, 57 and
 * 12,675 (OEIS A094777), counted as the positions reachable from the empty board when either
 * colour may move (passes make every order possible), using the board's own move and capture
 * logic.
 */
describe("legal position counts", () => {
  for (const [size, expected] of [
    [2, 57],
    [3, 12675],
  ] as const) {
    it(`${size}x${size}: ${expected}`, () => {
      const start = new Board(size);
      const seen = new Set<string>([start.toString()]);
      const queue: Board[] = [start];
      while (queue.length > 0) {
        const b = queue.pop()!;
        for (const color of [BLACK_STONE, WHITE_STONE] as const) {
          for (let a = 0; a < size * size; a++) {
            const p = b.pointOfAction(a);
            if (b.color[p] !== 0 || b.isSuicide(p, color)) continue;
            const next = b.clone();
            next.play(p, color);
            const key = next.toString();
            if (!seen.has(key)) {
              seen.add(key);
              queue.push(next);
            }
          }
        }
      }
      expect(seen.size).toBe(expected);
    });
  }
});

describe("Go feature planes (go-v1)", () => {
  it("encodes stones, liberties, ko, recent moves, passes, colour and komi", () => {
    const s = position(`
      . X O .
      X O . O
      . X O .
      . . . .`, { komi: 8 });
    playAll(s, ["C3"]); // Black takes the ko; White to move
    const game = new GoGame(4);
    const out = new Float32Array(game.planes * 16);
    game.encode(s, out);
    const plane = (k: number): string => {
      const rows: string[] = [];
      for (let y = 0; y < 4; y++) rows.push(Array.from(out.subarray(k * 16 + y * 4, k * 16 + y * 4 + 4)).map((v) => (v === 0 ? "." : v === 1 ? "1" : v.toFixed(1))).join(""));
      return rows.join("\n");
    };
    expect(plane(0)).toBe("..1.\n...1\n..1.\n...."); // White's stones (White to move)
    expect(plane(1)).toBe(".1..\n1.1.\n.1..\n....");
    expect(plane(2)).toBe("1..1\n.1..\n1..1\n1111");
    expect(plane(3)).toBe("..1.\n....\n....\n...."); // C4 is in atari
    expect(plane(4)).toBe("....\n...1\n..1.\n....");
    expect(plane(6)).toBe("....\n..1.\n....\n...."); // the capturing stone has one liberty
    expect(plane(8)).toBe("....\n1...\n.1..\n....");
    expect(plane(7)).toBe(".1..\n....\n....\n....");
    expect(plane(9)).toBe("....\n.1..\n....\n...."); // the ko point
    expect(plane(10)).toBe("....\n..1.\n....\n...."); // last move C3
    expect(plane(11)).toBe("....\n....\n....\n....");
    expect(plane(14)).toBe("....\n....\n....\n....");
    expect(plane(15)).toBe("....\n....\n....\n...."); // White to move
    expect(plane(16)).toBe(["0.5".repeat(4), "0.5".repeat(4), "0.5".repeat(4), "0.5".repeat(4)].join("\n"));
    expect(plane(17)).toBe("1111\n1111\n1111\n1111");
    playAll(s, ["pass"]);
    game.encode(s, out);
    expect(plane(14)).toBe("1111\n1111\n1111\n1111");
    expect(plane(15)).toBe("1111\n1111\n1111\n1111");
    expect(plane(16)).toBe(["-0.5".repeat(4), "-0.5".repeat(4), "-0.5".repeat(4), "-0.5".repeat(4)].join("\n"));
    expect(plane(10)).toBe("....\n....\n....\n...."); // a pass marks nothing
    expect(plane(11)).toBe("....\n..1.\n....\n....");
    expect(plane(9)).toBe("....\n....\n....\n...."); // Black may fill the ko
  });
});
