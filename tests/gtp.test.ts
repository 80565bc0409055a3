/** The GTP engine: protocol conformance, a real GTP client, and games against GNU Go. */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import gtp from "@sabaki/gtp";
import { beforeAll, describe, expect, it } from "vitest";
import { parseGameSpec } from "../games/index.js";
import { OnnxModel } from "../models/inference.js";
import { GtpEngine } from "../src/gtp/engine.js";
import { Rng } from "../core/rng.js";
import { GtpClient } from "../selfplay/gtp.js";
import { playMatch, type MatchGame } from "../selfplay/match.js";
import { createPlayer } from "../selfplay/players.js";
import { runCli } from "./helpers/cli.js";
import { itNeeds, needs } from "./helpers/needs.js";
import { CLI } from "./helpers/paths.js";
import { gnugoCommand } from "../selfplay/spec.js";

const dir = mkdtempSync(join(tmpdir(), "fossil-gtp-"));
const model = join(dir, "go7.onnx");
const GNUGO = gnugoCommand(1);

beforeAll(() => {
  expect(runCli(["model", "init", "--game", "go:7", "--blocks", "1", "--filters", "8", "--seed", "4", "--out", model]).status).toBe(0);
});

async function engine(): Promise<GtpEngine> {
  return new GtpEngine(await OnnxModel.load(model), { simulations: 8, seconds: 0, resignThreshold: 0, seed: 1 });
}

describe("GTP protocol", () => {
  it("answers with ids, errors as '?', and never crashes on bad input", async () => {
    const e = await engine();
    const cases: [string, string | null][] = [
      ["1 protocol_version", "=1 2\n\n"],
      ["name", "= fossil\n\n"],
      ["  # just a comment", null],
      ["", null],
      ["7 known_command genmove", "=7 true\n\n"],
      ["known_command dance", "= false\n\n"],
      ["8 dance", "?8 unknown command\n\n"],
      ["42", "?42 missing command\n\n"],
      ["boardsize 9", "? unacceptable size\n\n"],
      ["boardsize seven", "? boardsize not an integer\n\n"],
      ["boardsize 7", "=\n\n"],
      ["komi 9", "=\n\n"],
      ["komi x", "? komi not a float\n\n"],
      ["play b d4", "=\n\n"],
      ["play w d4", "? illegal move (occupied)\n\n"],
      ["play x d5", '? invalid color "x"\n\n'],
      ["play w z9", '? invalid vertex "z9"\n\n'],
      ["play w", "? missing vertex\n\n"],
      ["play\tw\td5 # tab separated, with a comment", "=\n\n"],
      ["pl\x01ay b c3", "=\n\n"],
      ["final_score", "= W+8\n\n"], // B d4 c3, W d5, komi 9: the empty area touches both colours
      ["undo", "=\n\n"],
      ["undo", "=\n\n"],
      ["undo", "=\n\n"],
      ["undo", "? cannot undo\n\n"],
      ["final_score", "= W+9\n\n"],
      ["final_status_list alive", "= \n\n".replace(" \n", "\n")],
      ["final_status_list zombie", "? invalid status (alive, dead or seki)\n\n"],
      ["time_settings 60", "? syntax error (time_settings main byo_yomi stones)\n\n"],
      ["time_left b x 0", "? syntax error (time_left color time stones)\n\n"],
      ["fixed_handicap 5", "? invalid number of stones (2 to 4 on 7x7)\n\n"],
      ["fixed_handicap 2", "= C3 E5\n\n"],
      ["fixed_handicap 2", "? board not empty\n\n"],
      ["clear_board", "=\n\n"],
      ["set_free_handicap c3 c3", "? bad vertex list\n\n"],
      ["set_free_handicap b2 f6", "=\n\n"],
    ];
    for (const [input, reply] of cases) expect(await e.handle(input), input).toBe(reply);
  });

  it("after 'play b d4' Black's stone counts, and genmove plays a legal move for the side asked", async () => {
    const e = await engine();
    await e.handle("play b d4");
    expect(await e.handle("final_score")).toBe("= B+40\n\n"); // komi 9 (the fair komi of 7x7): 49 - 9
    const reply = (await e.handle("5 genmove w"))!;
    expect(reply).toMatch(/^=5 ([A-HJ-T]\d|pass)\n\n$/);
    expect(reply).not.toBe("=5 D4\n\n");
    const board = (await e.handle("showboard"))!;
    expect(board.split("\n").length).toBeGreaterThan(9);
    expect(board).toContain(" 4 . . . X . . . 4");
    expect((await e.handle("list_commands"))!.split("\n")).toContain("reg_genmove");
    expect(await e.handle("quit")).toBe("=\n\n");
    expect(e.quitting).toBe(true);
  });
});

describe("fossil gtp as an engine process", () => {
  it("is driven by @sabaki/gtp the way Sabaki drives engines, and logs the exchange", async () => {
    const log = join(dir, "gtp.log");
    const controller = new gtp.Controller(process.execPath, [CLI, "gtp", "--model", model, "--sims", "8", "--log", log]);
    controller.start();
    const name = await controller.sendCommand({ name: "name" });
    expect(name.content).toBe("fossil");
    expect((await controller.sendCommand({ name: "boardsize", args: ["7"] })).error).toBe(false);
    expect((await controller.sendCommand({ name: "play", args: ["B", "D4"] })).error).toBe(false);
    const move = await controller.sendCommand({ id: 12, name: "genmove", args: ["W"] });
    expect(move.error).toBe(false);
    expect(move.id).toBe(12);
    expect(move.content).toMatch(/^([A-HJ-T]\d|pass)$/);
    const bad = await controller.sendCommand({ name: "play", args: ["B", "D4"] });
    expect(bad.error).toBe(true);
    await controller.stop();
    const text = readFileSync(log, "utf8");
    expect(text).toContain("> 12 genmove W");
    expect(text).toContain("< ? illegal move (occupied)");
  });

  itNeeds(needs.gnugo)("plays whole games against GNU Go, every move legal for both, scored alike by both", async () => {
    const game = parseGameSpec("go:7:tromp-taylor:7");
    const ours = await createPlayer(`gtp:${process.execPath} ${CLI} gtp --model ${model} --sims 8 --resign 0`, game);
    const theirs = await createPlayer("gnugo:1", game);
    const games: MatchGame[] = [];
    const root = Rng.fromSeed(9);
    try {
      await playMatch(game, ours, theirs, { games: 2, swap: true, openingMoves: 2, rngFor: (i) => root.split("g", i) }, (g) => {
        games.push(g);
      });
    } finally {
      await ours.close();
      await theirs.close();
    }
    for (const g of games) {
      expect(g.error).toBeUndefined(); // any illegal move on either side would void the game
      expect(g.outcome).not.toBeNull();
      // Both engines score the final position: replay it into fresh sessions and ask.
      const scores: string[] = [];
      for (const command of [`${process.execPath} ${CLI} gtp --model ${model}`, GNUGO]) {
        const client = GtpClient.start(command);
        await client.send("boardsize 7");
        await client.send("komi 7");
        for (const [k, a] of g.actions.entries()) await client.send(`play ${k % 2 === 0 ? "b" : "w"} ${game.actionText(a)}`);
        scores.push(await client.send("final_score"));
        await client.close();
      }
      if (g.outcome!.reason === "score") expect(scores[0]).toBe(g.result);
      expect(scores[1]![0]).toBe(scores[0]![0]); // the same winner (GNU Go removes no stones after capture-all-dead play)
    }
  });
});
