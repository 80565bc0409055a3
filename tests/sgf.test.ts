import { existsSync, readFileSync, readdirSync } from "node:fs";
import sabakiSgf, { type NodeObject } from "@sabaki/sgf";
import { describe, expect, it } from "vitest";
import { parseSgf, writeSgf } from "../games/sgf.js";
import { readGoRecords, replay, variationRecords, writeGoRecords, type GoRecord } from "../games/go/record.js";
import { IllegalMoveError, SgfError } from "../core/errors.js";
import { resultText, outcomeFromScore } from "../core/player.js";
import { Rng } from "../core/rng.js";
import { GoGame } from "../games/go/game.js";
import { describeNeeds, needs } from "./helpers/needs.js";
import { SHARED_DATA, sharedFile } from "./helpers/paths.js";

/** The shared OGS games, looked up when a test runs (not when this file loads: the data may be missing). */
const ogsDir = (): string => sharedFile("go9-ogs-human");

/** The main line of a @sabaki/sgf tree as [colour, value] pairs. */
function sabakiMainLine(root: NodeObject): string[] {
  const moves: string[] = [];
  for (let node: NodeObject | undefined = root; node; node = node.children[0]) {
    for (const c of ["B", "W"]) if (node.data[c]) moves.push(`${c}[${node.data[c]![0]}]`);
  }
  return moves;
}

function ourMainLine(record: GoRecord): string[] {
  return record.moves.map((m) => {
    const v = m.action === record.size * record.size ? "" : String.fromCharCode(97 + (m.action % record.size)) + String.fromCharCode(97 + Math.floor(m.action / record.size));
    return `${m.player === 0 ? "B" : "W"}[${v}]`;
  });
}

/** Passes written as tt by other tools read as empty here. */
const normalisePass = (moves: string[]): string[] => moves.map((m) => m.replace("[tt]", "[]"));

describeNeeds(needs.sharedData)("SGF reading of real OGS records", () => {
  const index = (): string[][] => readFileSync(`${ogsDir()}/index.tsv`, "utf8").trim().split("\n").slice(1).map((l) => l.split("\t"));

  it("parses the 1,000 games of part-00, as @sabaki/sgf does, and replays each legally", () => {
    const text = readFileSync(`${ogsDir()}/part-00.sgf`, "utf8");
    const records = readGoRecords(text, "part-00.sgf");
    expect(records.length).toBe(1000);
    const theirs = sabakiSgf.parse(text);
    expect(theirs.length).toBe(1000);
    const rows = index().filter((r) => r[0] === "part-00.sgf");
    records.forEach((record, k) => {
      expect(record.size).toBe(9);
      expect(normalisePass(ourMainLine(record))).toEqual(normalisePass(sabakiMainLine(theirs[k]!)));
      const row = rows[k]!;
      expect(record.place).toContain(row[1]);
      expect([record.date, record.komi, record.rulesText, record.black, record.blackRank, record.white, record.whiteRank, record.result]).toEqual([row[2], Number(row[3]), row[4], row[5], row[6], row[7], row[8], row[9]]);
      expect(record.moves.length).toBe(Number(row[10]));
      const final = replay(record);
      expect(final.moveCount).toBe(record.moves.length);
    });
  });

  it("replays all 14,282 games of the shared OGS set without an illegal move", () => {
    const dir = ogsDir(), rows = index();
    let games = 0, moves = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".sgf")).sort()) {
      for (const record of readGoRecords(readFileSync(`${dir}/${file}`, "utf8"), file)) {
        moves += replay(record).moveCount;
        games++;
      }
    }
    expect(games).toBe(rows.length);
    expect(games).toBe(14282);
    expect(moves).toBe(rows.reduce((s, r) => s + Number(r[10]), 0));
  });
});

describe("SGF syntax", () => {
  it("reads variations (main line = first child), setup stones, compressed lists and both pass forms", () => {
    const text = "(;GM[1]SZ[5]KM[0.5]AB[aa:ab]AW[ee]PL[W];W[cc](;B[dd];W[tt];B[];W[])(;B[bb]))";
    const [record] = readGoRecords(text, "v.sgf");
    expect(record!.setupBlack).toEqual([0, 5]);
    expect(record!.setupWhite).toEqual([24]);
    expect(record!.firstPlayer).toBe(1);
    expect(record!.moves.map((m) => m.action)).toEqual([12, 18, 25, 25, 25]);
    const final = replay(record!);
    expect(final.moveCount).toBe(5);
    expect(final.passes).toBe(1); // two passes, then a resumed game with one pass
    const lines = variationRecords(parseSgf(text).games[0]!, parseSgf(text).source);
    expect(lines.map((l) => l.moves.length)).toEqual([5, 2]);
    expect(lines[1]!.moves[1]).toEqual({ player: 0, action: 6 });
  });

  it("handles escapes, soft line breaks, lower-case letters in old identifiers and text around trees", () => {
    const text = "header text\n(;GM[1]SZ[9]CoPyright[x]C[a \\] b \\\\ c\\\nd]PB[Lee\\:]  ;B[ee])\ntrailer";
    const { games } = parseSgf(text);
    expect(games[0]!.props.C).toEqual(["a ] b \\ cd"]);
    expect(games[0]!.props.CP).toEqual(["x"]);
    expect(games[0]!.props.PB).toEqual(["Lee:"]);
    // An unescaped ']' that nothing valid could follow belongs to the value (as in a real OGS export).
    expect(parseSgf("(;PB[[O\\]at[P]ramote]PW[x])").games[0]!.props.PB).toEqual(["[O]at[P]ramote"]);
  });

  it("reads and writes a 20,000-deep nesting of nodes without recursion", () => {
    const depth = 20_000;
    const rng = Rng.fromSeed(4);
    const parts: string[] = ["(;GM[1]SZ[19]"];
    for (let i = 0; i < depth; i++) parts.push(`(;${i % 2 ? "W" : "B"}[${String.fromCharCode(97 + rng.int(19))}${String.fromCharCode(97 + rng.int(19))}]`);
    parts.push(")".repeat(depth + 1));
    const text = parts.join("");
    const [record] = readGoRecords(text, "deep.sgf");
    expect(record!.moves.length).toBe(depth);
    const written = writeGoRecords([record!]);
    const [again] = readGoRecords(written, "again.sgf");
    expect(again!.moves).toEqual(record!.moves);
    // The tree writer keeps the nesting as it was given, also without recursion.
    const nested = writeSgf(parseSgf(text).games);
    expect(parseSgf(nested).games[0]!.children[0]!.props.B).toEqual(parseSgf(text).games[0]!.children[0]!.props.B);
    // Replaying it reports the first illegal move (random points collide), it does not crash.
    expect(() => replay(record!)).toThrow(IllegalMoveError);
  });

  it("writes records that it and @sabaki/sgf read back the same", () => {
    const game = new GoGame(7);
    const records: GoRecord[] = [];
    for (let g = 0; g < 20; g++) {
      const rng = Rng.fromSeed(5).split(g);
      const state = game.newState();
      const moves: GoRecord["moves"] = [];
      while (!state.ended) {
        const mask = state.legalMask();
        const legal = [...mask.keys()].filter((a) => mask[a]);
        const a = legal[rng.int(legal.length)]!;
        moves.push({ player: state.toPlay, action: a });
        state.play(a);
      }
      records.push({
        size: 7,
        komi: 9,
        rules: "tromp-taylor",
        black: `bot [${g}]`,
        white: "O'Brien \\ co",
        blackRank: "3k",
        whiteRank: "2d",
        date: "2026-11-26",
        result: resultText(state.outcome()!),
        setupBlack: g % 5 === 0 ? [0] : [],
        setupWhite: [],
        moves,
      });
    }
    const text = writeGoRecords(records);
    const back = readGoRecords(text, "out.sgf");
    const theirs = sabakiSgf.parse(text);
    expect(back.length).toBe(records.length);
    back.forEach((r, k) => {
      const original = records[k]!;
      expect(r.moves).toEqual(original.moves);
      expect([r.size, r.komi, r.rules, r.black, r.white, r.blackRank, r.whiteRank, r.date, r.result, r.setupBlack]).toEqual([
        original.size, original.komi, original.rules, original.black, original.white, original.blackRank, original.whiteRank, original.date, original.result, original.setupBlack,
      ]);
      const root = theirs[k]!;
      expect(root.data.PB).toEqual([original.black]);
      expect(root.data.PW).toEqual([original.white]);
      expect(root.data.SZ).toEqual(["7"]);
      expect(root.data.KM).toEqual(["9"]);
      expect(root.data.RE).toEqual([original.result]);
      expect(normalisePass(sabakiMainLine(root))).toEqual(ourMainLine(r));
    });
  });
});

describe("malformed SGF", () => {
  const cases: [string, string, string][] = [
    ["unbalanced ')'", "(;GM[1]SZ[9];B[aa]))", "bad.sgf:1:20: unbalanced ')': no game tree is open here"],
    ["unclosed tree", "(;GM[1]SZ[9]\n(;B[aa]\n(;W[bb])", "bad.sgf:2:1: unexpected end of file: 2 game trees not closed with ')' (the innermost opened here)"],
    ["unterminated value", "(;GM[1]SZ[9]\nC[no end", "bad.sgf:2:2: unterminated property value of C: no closing ']'"],
    ["property without value", "(;GM[1]SZ;B[aa])", "bad.sgf:1:8: property SZ has no value: expected '['"],
    ["junk inside a tree", "(;GM[1] ;B[aa] 5)", "bad.sgf:1:16: unexpected character '5': expected ';', '(' or ')'"],
    ["empty tree", "(;GM[1]())", "bad.sgf:1:8: empty game tree '()': a game tree needs at least one node"],
    ["bad coordinates", "(;GM[1]SZ[9]\n;B[ee]\n;W[e])", "bad.sgf:3:2: game 1: bad move coordinates W[e] (two letters a-i, or empty for pass)"],
    ["board too large", "(;GM[1]SZ[25];B[aa])", "bad.sgf:1:8: game 1: board size SZ[25] out of range (2 to 19)"],
    ["board too small", "(;GM[1]SZ[1])", "bad.sgf:1:8: game 1: board size SZ[1] out of range (2 to 19)"],
    ["bad board size", "(;SZ[nine])", "bad.sgf:1:3: game 1: bad board size SZ[nine]"],
    ["rectangular", "(;SZ[7:5])", "bad.sgf:1:3: game 1: rectangular board SZ[7:5] is not supported (square boards only)"],
    ["not Go", "(;GM[3]SZ[8];B[aa])", "bad.sgf:1:3: game 1: not a Go game: GM[3] (Go is GM[1])"],
    ["no game", "just some text", "bad.sgf: no SGF game tree found (an SGF file starts with '(;')"],
    ["second game broken", "(;GM[1]SZ[9];B[aa])(;GM[1]SZ[9];B[a])", "bad.sgf:1:33: game 2: bad move coordinates B[a] (two letters a-i, or empty for pass)"],
  ];
  it.each(cases)("%s", (_name, text, message) => {
    let error: unknown;
    try {
      readGoRecords(text, "bad.sgf");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SgfError);
    expect((error as Error).message).toBe(message);
  });

  it("reports illegal moves with game, move number, move and reason", () => {
    const check = (text: string, message: string): void => {
      const records = readGoRecords(text, "g.sgf");
      expect(() => replay(records[records.length - 1]!)).toThrow(message);
    };
    check("(;SZ[5];B[cc];W[cc])", "g.sgf: game 1, move 2 (W C3): illegal: occupied");
    check("(;SZ[5]AB[ab][ba];W[aa])", "g.sgf: game 1, move 1 (W A5): illegal: suicide");
    check("(;SZ[5];B[bb])(;SZ[5];B[cc];W[jj])", "g.sgf: game 2, move 2 (W jj): illegal: off-board");
    check("(;SZ[4]AB[ba][ab][bc]AW[ca][bb][db][cc];B[cb];W[bb])", "g.sgf: game 1, move 2 (W B3): illegal: ko");
    // Play may resume after two passes (servers do after a disputed count); the rules still hold.
    check("(;SZ[5];B[cc];W[];B[];W[cc])", "g.sgf: game 1, move 4 (W C3): illegal: occupied");
  });
});

describeNeeds(needs.sharedData)("solved small-board lines", () => {
  // The list is read when this file loads: without the data, one stand-in name, whose test is
  // skipped (or fails on the missing file under FOSSIL_REQUIRE_ALL).
  const dir = `${SHARED_DATA}/go-solved`;
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".sgf")) : ["*.sgf"];

  it.each(files)("%s replays legally, every variation, and matches its recorded area result", (file) => {
    const text = readFileSync(sharedFile(`go-solved/${file}`), "utf8");
    const collection = parseSgf(text, file);
    let lines = 0;
    for (const [k, root] of collection.games.entries()) {
      for (const line of variationRecords(root, collection.source, k + 1)) {
        const final = replay(line);
        lines++;
        if (line.result && /^[BW]\+\d/.test(line.result) && line.moves.length > 0) {
          const [black, white] = final.board.area();
          expect(resultText(outcomeFromScore(black - white - line.komi, "score"))).toBe(line.result);
        }
      }
    }
    expect(lines).toBeGreaterThan(0);
  });

  it("the 5x5 C2 opening line ends B+3 by area count", () => {
    const [record] = readGoRecords(readFileSync(sharedFile("go-solved/5x5_C2opening_optimal_vanderwerf_via_hyu2000.sgf"), "utf8"));
    expect(record!.result).toBe("B+3");
    expect(replay(record!).score()).toBe(3);
  });
});

describe("recovering from broken games in a collection", () => {
  it("reports the broken tree with its game number and reads the others", async () => {
    const { parseSgfRecovering } = await import("../games/sgf.js");
    const text = "(;GM[1]SZ[9];B[aa])\n(;GM[1]SZ[9];B[bb] 7 ;W[cc])\n(;GM[1]SZ[9];W[cc])(;SZ[9] ; B[dd] 5)(;SZ[9];B[ee])";
    const r = parseSgfRecovering(text, "c.sgf");
    expect(r.games.map((g) => [g.number, g.root.children[0]!.props.B ?? g.root.children[0]!.props.W])).toEqual([
      [1, ["aa"]],
      [3, ["cc"]],
      [5, ["ee"]],
    ]);
    expect(r.errors.map((e) => e.message)).toEqual([
      "c.sgf:2:20: game 2: unexpected character '7': expected ';', '(' or ')'",
      "c.sgf:3:36: game 4: unexpected character '5': expected ';', '(' or ')'",
    ]);
  });
});
