/**
 * A GTP version 2 engine around a fossil network, for Sabaki, GoGui, KGS/OGS bridges and
 * matches against other engines. `GtpEngine.handle(line)` takes one input line and returns the
 * full reply ("=id text\n\n" or "?id message\n\n"), or null for lines that are not commands
 * (empty, comments). It never throws on input: malformed, unknown and illegal commands get an
 * error reply.
 */
import { InputError } from "../../core/errors.js";
import { resultText, outcomeFromScore, type Player } from "../../core/player.js";
import { Rng } from "../../core/rng.js";
import { parseGameSpec } from "../../games/index.js";
import { goActionText, parseGoAction } from "../../games/go/coords.js";
import { GoGame } from "../../games/go/game.js";
import { BLACK_STONE, EMPTY } from "../../games/go/board.js";
import { makeRules } from "../../games/go/rules.js";
import type { GoState } from "../../games/go/state.js";
import type { OnnxModel } from "../../models/inference.js";
import { LeafBatcher } from "../../selfplay/batcher.js";
import { chooseMove, DEFAULT_SEARCH, searchAsync, SearchTree } from "../../selfplay/mcts.js";

export interface EngineOptions {
  /** Simulations per move (when no time limit applies). */
  simulations: number;
  /** Seconds per move at most (0: no limit). */
  seconds: number;
  /** Resign when the side to move's value is below -resignThreshold (0: never). */
  resignThreshold: number;
  seed: number;
}

export const ENGINE_VERSION = "0.1.0";

const COMMANDS = [
  "protocol_version", "name", "version", "known_command", "list_commands", "quit", "boardsize", "clear_board", "komi", "play", "genmove",
  "reg_genmove", "undo", "showboard", "final_score", "final_status_list", "time_settings", "time_left", "fixed_handicap", "set_free_handicap",
];

class GtpFailure extends Error {}

/** Standard fixed handicap points (GTP spec section 4.1.1), as [x, y] from the top-left. */
function fixedHandicapPoints(size: number, count: number): [number, number][] {
  if (size < 7) throw new GtpFailure("board too small for fixed handicap");
  const maxStones = size % 2 === 1 && size >= 9 ? 9 : 4;
  if (count < 2 || count > maxStones) throw new GtpFailure(`invalid number of stones (2 to ${maxStones} on ${size}x${size})`);
  const d = size >= 13 ? 3 : 2;
  const lo = d, hi = size - 1 - d, mid = (size - 1) / 2;
  const tl: [number, number] = [lo, lo], tr: [number, number] = [hi, lo], bl: [number, number] = [lo, hi], br: [number, number] = [hi, hi];
  const points: [number, number][] = [bl, tr];
  if (count >= 3) points.push(br);
  if (count >= 4) points.push(tl);
  if (count === 5 || count === 7 || count === 9) points.push([mid, mid]);
  if (count >= 6) points.push([lo, mid], [hi, mid]);
  if (count >= 8) points.push([mid, lo], [mid, hi]);
  return points.slice(0, count);
}

export class GtpEngine {
  private game: GoGame;
  private komi: number;
  private handicap: number[] = [];
  private moves: { player: Player; action: number }[] = [];
  private state: GoState;
  private readonly rng: Rng;
  private mainTime = 0;
  private byoTime = 0;
  private byoStones = 0;
  private timeLeft: [number, number] = [Infinity, Infinity];
  private stonesLeft: [number, number] = [0, 0];
  /** Set by `quit`: the caller should close after writing the reply. */
  quitting = false;

  constructor(
    private readonly model: OnnxModel,
    private readonly options: EngineOptions,
  ) {
    const modelGame = parseGameSpec(model.arch.game);
    if (!modelGame.gtp) throw new InputError(`the GTP engine plays Go; this model is for ${modelGame.id}`, { file: model.info.file });
    // Until the controller says otherwise (GTP's komi command), the komi the model was trained with.
    this.komi = modelGame.gtp.komi;
    this.game = new GoGame(modelGame.gtp.boardSize, { rules: makeRules("tromp-taylor", this.komi), moveCap: Infinity });
    this.state = this.game.newState();
    this.rng = Rng.fromSeed(options.seed).split("gtp");
  }

  /** Handles one line of input; returns the reply, or null when the line holds no command. */
  async handle(input: string): Promise<string | null> {
    // Preprocessing (GTP 2.2): drop control characters but HT and LF, comments; HT to space.
    const line = input.replace(/#.*$/, "").replace(/\t/g, " ").replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "").trim();
    if (line === "") return null;
    const words = line.split(/\s+/);
    let id = "";
    if (/^\d+$/.test(words[0]!)) id = words.shift()!;
    const name = (words.shift() ?? "").toLowerCase();
    try {
      if (name === "") throw new GtpFailure("missing command");
      const text = await this.run(name, words);
      return `=${id}${text === "" ? "" : ` ${text}`}\n\n`;
    } catch (e) {
      const message = e instanceof GtpFailure || e instanceof InputError ? e.message : `internal error: ${(e as Error).message}`;
      return `?${id} ${message}\n\n`;
    }
  }

  private color(word: string | undefined): Player {
    const w = (word ?? "").toLowerCase();
    if (w === "b" || w === "black") return 0;
    if (w === "w" || w === "white") return 1;
    throw new GtpFailure(`invalid color "${word ?? ""}"`);
  }

  private vertex(word: string | undefined): number {
    if (!word) throw new GtpFailure("missing vertex");
    try {
      return parseGoAction(word, this.game.size);
    } catch {
      throw new GtpFailure(`invalid vertex "${word}"`);
    }
  }

  /** Rebuilds the position from the handicap stones and the moves (used by undo, komi). */
  private rebuild(): void {
    this.game = new GoGame(this.game.size, { rules: makeRules("tromp-taylor", this.komi), moveCap: Infinity });
    this.state = this.game.newState();
    if (this.handicap.length > 0) {
      const stones = new Uint8Array(this.game.size * this.game.size);
      for (const a of this.handicap) stones[a] = BLACK_STONE;
      this.state.setup(stones);
      this.state.toPlay = 1;
    }
    for (const m of this.moves) {
      this.state.toPlay = m.player;
      this.state.resume();
      this.state.play(m.action);
    }
  }

  private playMove(player: Player, action: number): void {
    this.state.toPlay = player;
    this.state.resume();
    const reason = this.state.illegalReason(action);
    if (reason !== null) throw new GtpFailure(`illegal move (${reason})`);
    this.state.play(action);
    this.moves.push({ player, action });
  }

  /** Seconds to think for the side to move, from the time settings and time_left. */
  private moveSeconds(player: Player): number {
    let limit = this.options.seconds > 0 ? this.options.seconds : Infinity;
    const left = this.timeLeft[player];
    if (Number.isFinite(left)) {
      const stones = this.stonesLeft[player];
      const budget = stones > 0 ? left / stones : left / Math.max(10, this.state.board.emptyCount / 2);
      limit = Math.min(limit, Math.max(0.05, 0.8 * budget));
    }
    return limit;
  }

  private async search(player: Player): Promise<{ action: number | "resign"; value: number }> {
    this.state.toPlay = player;
    this.state.resume();
    if (this.state.ended) return { action: this.state.passAction, value: 0 };
    const tree = new SearchTree(this.state.clone(), this.game.actionCount, { ...DEFAULT_SEARCH, noiseWeight: 0 });
    const deadline = performance.now() + 1000 * this.moveSeconds(player);
    const network = new LeafBatcher(this.model, this.game, 1);
    const result = await searchAsync(tree, (leaf) => network.evaluate(leaf), this.rng, this.options.simulations, () => performance.now() > deadline);
    if (this.options.resignThreshold > 0 && result.rootValue < -this.options.resignThreshold) return { action: "resign", value: result.rootValue };
    // When the opponent has passed and we lead on the area count, pass back and end the game.
    const opponentPassed = this.moves.length > 0 && this.moves[this.moves.length - 1]!.action === this.state.passAction;
    const lead = this.state.score() * (player === 0 ? 1 : -1);
    if (opponentPassed && lead > 0) return { action: this.state.passAction, value: result.rootValue };
    return { action: chooseMove(result.visits, 0, this.rng), value: result.rootValue };
  }

  private showboard(): string {
    const n = this.game.size;
    const letters = "ABCDEFGHJKLMNOPQRST".slice(0, n).split("").join(" ");
    const rows = [`   ${letters}`];
    for (let y = 0; y < n; y++) {
      let row = "";
      for (let x = 0; x < n; x++) row += ` ${".XO"[this.state.stoneAt(y * n + x)]}`;
      rows.push(`${String(n - y).padStart(2)}${row} ${n - y}`);
    }
    rows.push(`   ${letters}`);
    const passes = this.state.passes;
    rows.push(`${this.state.toPlay === 0 ? "Black" : "White"} to play, komi ${this.komi}, ${this.moves.length} moves${passes ? `, ${passes} pass${passes > 1 ? "es" : ""} in a row` : ""}`);
    return `\n${rows.join("\n")}`;
  }

  private async run(name: string, args: string[]): Promise<string> {
    switch (name) {
      case "protocol_version":
        return "2";
      case "name":
        return "fossil";
      case "version":
        return `${ENGINE_VERSION} (${this.model.arch.game}, ${this.model.info.metadata["fossil.architecture"] ?? "?"}, step ${this.model.info.step})`;
      case "known_command":
        return COMMANDS.includes((args[0] ?? "").toLowerCase()) ? "true" : "false";
      case "list_commands":
        return COMMANDS.join("\n");
      case "quit":
        this.quitting = true;
        return "";
      case "boardsize": {
        const size = Number(args[0]);
        if (!Number.isInteger(size)) throw new GtpFailure("boardsize not an integer");
        if (size !== this.game.size) throw new GtpFailure("unacceptable size");
        this.handicap = [];
        this.moves = [];
        this.rebuild();
        return "";
      }
      case "clear_board":
        this.handicap = [];
        this.moves = [];
        this.rebuild();
        return "";
      case "komi": {
        const komi = Number(args[0]);
        if (args[0] === undefined || !Number.isFinite(komi)) throw new GtpFailure("komi not a float");
        makeRules("tromp-taylor", komi); // refuses an absurd komi before anything changes
        this.komi = komi;
        this.rebuild();
        return "";
      }
      case "play": {
        const player = this.color(args[0]);
        this.playMove(player, this.vertex(args[1]));
        return "";
      }
      case "genmove":
      case "reg_genmove": {
        const player = this.color(args[0]);
        const { action } = await this.search(player);
        if (action === "resign") return "resign";
        if (name === "genmove") this.playMove(player, action);
        return goActionText(action, this.game.size);
      }
      case "undo": {
        if (this.moves.length === 0) throw new GtpFailure("cannot undo");
        this.moves.pop();
        this.rebuild();
        return "";
      }
      case "showboard":
        return this.showboard();
      case "final_score": {
        const [black, white] = this.state.board.area();
        return resultText(outcomeFromScore(black - white - this.komi, "score"));
      }
      case "final_status_list": {
        const status = (args[0] ?? "").toLowerCase();
        if (!["alive", "dead", "seki"].includes(status)) throw new GtpFailure("invalid status (alive, dead or seki)");
        if (status !== "alive") return ""; // area counting here removes no stones
        const n = this.game.size;
        const stones: string[] = [];
        for (let a = 0; a < n * n; a++) if (this.state.stoneAt(a) !== EMPTY) stones.push(goActionText(a, n));
        return stones.join(" ");
      }
      case "time_settings": {
        const [main, byo, stones] = args.map(Number);
        if (args.length < 3 || ![main, byo, stones].every((v) => Number.isInteger(v) && v! >= 0)) throw new GtpFailure("syntax error (time_settings main byo_yomi stones)");
        [this.mainTime, this.byoTime, this.byoStones] = [main!, byo!, stones!];
        this.timeLeft = this.mainTime === 0 && this.byoTime === 0 ? [Infinity, Infinity] : [this.mainTime || this.byoTime, this.mainTime || this.byoTime];
        this.stonesLeft = this.mainTime === 0 ? [this.byoStones, this.byoStones] : [0, 0];
        return "";
      }
      case "time_left": {
        const player = this.color(args[0]);
        const time = Number(args[1]), stones = Number(args[2]);
        if (!Number.isFinite(time) || time < 0 || !Number.isInteger(stones) || stones < 0) throw new GtpFailure("syntax error (time_left color time stones)");
        this.timeLeft[player] = time;
        this.stonesLeft[player] = stones;
        return "";
      }
      case "fixed_handicap":
      case "set_free_handicap": {
        if (this.moves.length > 0 || this.handicap.length > 0) throw new GtpFailure("board not empty");
        const n = this.game.size;
        let points: number[];
        if (name === "fixed_handicap") {
          const count = Number(args[0]);
          if (!Number.isInteger(count)) throw new GtpFailure("handicap not an integer");
          points = fixedHandicapPoints(n, count).map(([x, y]) => y * n + x);
        } else {
          points = args.map((v) => this.vertex(v));
          if (points.length < 2 || new Set(points).size !== points.length || points.includes(n * n)) throw new GtpFailure("bad vertex list");
        }
        this.handicap = points;
        this.rebuild();
        return name === "fixed_handicap" ? points.map((a) => goActionText(a, n)).join(" ") : "";
      }
      default:
        throw new GtpFailure("unknown command");
    }
  }
}
