/**
 * Go game records: what an SGF game tree means for Go (board size, komi, rules, players, setup
 * stones, the main line of moves), replaying it under the rules, and turning records back into
 * SGF that other tools read.
 */
import { IllegalMoveError, SgfError, type Where } from "../../core/errors.js";
import { formatNumber, playerLetter, type Player } from "../../core/player.js";
import { parseSgf, sgfNode, writeSgf, type SgfCollection, type SgfNode, type SourceMap } from "../sgf.js";
import { BLACK_STONE, EMPTY, MAX_SIZE, MIN_SIZE, WHITE_STONE } from "./board.js";
import { goActionText, sgfPoint } from "./coords.js";
import { makeRules, rulesNameFromSgf, type GoRules, type RulesName } from "./rules.js";
import { GoState } from "./state.js";

export interface GoMove {
  readonly player: Player;
  /** y·N + x, or N² for pass; -1 for a point off the board (replay reports it as illegal). */
  readonly action: number;
  /** The SGF coordinates of an off-board move, for messages. */
  readonly text?: string;
}

/** A position change inside the main line (SGF AB/AW/AE after the root). */
export interface GoSetup {
  /** Apply before the move with this 0-based index. */
  readonly beforeMove: number;
  readonly black: number[];
  readonly white: number[];
  readonly empty: number[];
}

export interface GoRecord {
  size: number;
  komi: number;
  rules: RulesName;
  /** The RU text as written, if any. */
  rulesText?: string;
  handicap?: number;
  black?: string;
  white?: string;
  blackRank?: string;
  whiteRank?: string;
  /** RE as written: "B+3.5", "W+R", "0", "Draw", ... */
  result?: string;
  date?: string;
  event?: string;
  place?: string;
  /** Setup stones of the start position (SGF AB/AW in the root). */
  setupBlack: number[];
  setupWhite: number[];
  /** Who moves first when the record says (PL), else Black, or White after handicap stones. */
  firstPlayer?: Player;
  moves: GoMove[];
  /** Setup changes inside the main line. */
  setups?: GoSetup[];
  /** Index of the game in its collection (1-based), and where it comes from. */
  game?: number;
  source?: SourceMap;
}

/** A problem found while reading or replaying a record. */
function where(record: GoRecord, extra: Where = {}): Where {
  return { file: record.source?.file, game: record.game, ...extra };
}

function propValue(node: SgfNode, ident: string): string | undefined {
  return node.props[ident]?.[0];
}

/**
 * Parses an SGF point ("cd", or "" / "tt" for pass) on a board of `size`: its action, -1 for
 * well-formed letters off the board, null if malformed.
 */
function parsePoint(value: string, size: number, allowPass: boolean): number | null {
  if (allowPass && (value === "" || (value === "tt" && size <= 19))) return size * size;
  if (!/^[a-zA-Z]{2}$/.test(value)) return null;
  const coord = (ch: string): number => {
    const c = ch.charCodeAt(0);
    return c >= 97 ? c - 97 : c - 65 + 26;
  };
  const x = coord(value[0]!), y = coord(value[1]!);
  return x >= size || y >= size ? -1 : y * size + x;
}

/** Points of a setup property, expanding compressed rectangles ("aa:cc"). */
function parsePointList(node: SgfNode, ident: string, size: number, source: SourceMap): number[] {
  const out: number[] = [];
  for (const value of node.props[ident] ?? []) {
    const bad = (): SgfError => source.error(`bad point "${value}" in ${ident} (expected two letters a-${String.fromCharCode(96 + size)})`, node.propOffsets[ident]!);
    const [from, to] = value.split(":");
    const a = parsePoint(from!, size, false);
    if (a === null || a < 0) throw bad();
    if (to === undefined) {
      out.push(a);
      continue;
    }
    const b = parsePoint(to, size, false);
    if (b === null || b < 0) throw bad();
    const [x0, y0, x1, y1] = [a % size, Math.floor(a / size), b % size, Math.floor(b / size)];
    for (let y = Math.min(y0, y1); y <= Math.max(y0, y1); y++) for (let x = Math.min(x0, x1); x <= Math.max(x0, x1); x++) out.push(y * size + x);
  }
  return out;
}

/** Adds the setup stones and the move of one node to a record. */
function readNode(record: GoRecord, node: SgfNode, isRoot: boolean, source: SourceMap): void {
  const game = record.game;
  const size = record.size;
  if (node.props.AB || node.props.AW || node.props.AE) {
    try {
      const black = parsePointList(node, "AB", size, source);
      const white = parsePointList(node, "AW", size, source);
      const empty = parsePointList(node, "AE", size, source);
      if (isRoot) {
        record.setupBlack.push(...black);
        record.setupWhite.push(...white);
      } else {
        (record.setups ??= []).push({ beforeMove: record.moves.length, black, white, empty });
      }
    } catch (e) {
      throw e instanceof SgfError ? e.at({ game }) : e;
    }
  }
  for (const color of ["B", "W"] as const) {
    const values = node.props[color];
    if (!values) continue;
    const offset = node.propOffsets[color] ?? node.offset;
    if (values.length !== 1) throw source.error(`a node holds ${values.length} ${color} moves; one move per node`, offset).at({ game });
    const action = parsePoint(values[0]!.trim(), size, true);
    if (action === null) {
      const hint = `two letters a-${String.fromCharCode(96 + size)}, or empty for pass`;
      throw source.error(`bad move coordinates ${color}[${values[0]}] (${hint})`, offset).at({ game });
    }
    const player: Player = color === "B" ? 0 : 1;
    record.moves.push(action >= 0 ? { player, action } : { player, action, text: values[0]!.trim() });
  }
}

/**
 * Reads the Go meaning of one game tree (its main line: first child at every node). Throws
 * SgfError for what makes it no Go record: GM other than 1, SZ out of 2..19 or not square,
 * malformed numbers or coordinates.
 */
export function recordFromTree(root: SgfNode, source: SourceMap, game = 1): GoRecord {
  const at = (node: SgfNode, ident: string): number => node.propOffsets[ident] ?? node.offset;
  const fail = (message: string, offset: number): SgfError => {
    const e = source.error(message, offset);
    return e.at({ game }) as SgfError;
  };
  const gm = propValue(root, "GM");
  if (gm !== undefined && gm.trim() !== "1") throw fail(`not a Go game: GM[${gm}] (Go is GM[1])`, at(root, "GM"));
  let size = 19;
  const sz = propValue(root, "SZ");
  if (sz !== undefined) {
    const m = /^\s*(\d+)\s*(?::\s*(\d+)\s*)?$/.exec(sz);
    if (!m) throw fail(`bad board size SZ[${sz}]`, at(root, "SZ"));
    if (m[2] !== undefined && m[2] !== m[1]) throw fail(`rectangular board SZ[${sz}] is not supported (square boards only)`, at(root, "SZ"));
    size = Number(m[1]);
    if (size < MIN_SIZE || size > MAX_SIZE) throw fail(`board size SZ[${sz}] out of range (${MIN_SIZE} to ${MAX_SIZE})`, at(root, "SZ"));
  }
  let komi = 0;
  const km = propValue(root, "KM");
  if (km !== undefined && km.trim() !== "") {
    komi = Number(km.trim().replace(",", "."));
    if (!Number.isFinite(komi) || Math.abs(komi) > 1000) throw fail(`bad komi KM[${km}]`, at(root, "KM"));
  }
  const ru = propValue(root, "RU");
  const ha = propValue(root, "HA");
  let handicap: number | undefined;
  if (ha !== undefined && ha.trim() !== "") {
    handicap = Number(ha.trim());
    if (!Number.isInteger(handicap) || handicap < 0 || handicap > size * size) throw fail(`bad handicap HA[${ha}]`, at(root, "HA"));
  }
  const record: GoRecord = {
    size,
    komi,
    rules: rulesNameFromSgf(ru),
    rulesText: ru,
    handicap,
    black: propValue(root, "PB"),
    white: propValue(root, "PW"),
    blackRank: propValue(root, "BR"),
    whiteRank: propValue(root, "WR"),
    result: propValue(root, "RE"),
    date: propValue(root, "DT"),
    event: propValue(root, "EV"),
    place: propValue(root, "PC"),
    setupBlack: [],
    setupWhite: [],
    moves: [],
    game,
    source,
  };
  const pl = propValue(root, "PL");
  if (pl !== undefined) {
    const t = pl.trim().toUpperCase();
    if (t !== "B" && t !== "W") throw fail(`bad player to move PL[${pl}] (B or W)`, at(root, "PL"));
    record.firstPlayer = t === "B" ? 0 : 1;
  }
  // Walk the main line without recursion.
  for (let node: SgfNode | undefined = root; node; node = node.children[0]) readNode(record, node, node === root, source);
  return record;
}

/**
 * Every line of play of a game tree (root to each leaf, variations included) as a record with
 * the root's header. Walks the tree without recursion.
 */
export function variationRecords(root: SgfNode, source: SourceMap, game = 1): GoRecord[] {
  const header = recordFromTree({ ...root, children: [] }, source, game);
  const lines: GoRecord[] = [];
  const stack: { node: SgfNode; prefix: GoRecord }[] = root.children.map((node) => ({ node, prefix: header })).reverse();
  if (stack.length === 0) lines.push(header);
  while (stack.length > 0) {
    const { node, prefix } = stack.pop()!;
    const record: GoRecord = { ...prefix, moves: [...prefix.moves], setups: prefix.setups ? [...prefix.setups] : undefined };
    readNode(record, node, false, source);
    if (node.children.length === 0) lines.push(record);
    for (let k = node.children.length - 1; k >= 0; k--) stack.push({ node: node.children[k]!, prefix: record });
  }
  return lines;
}

/** Parses SGF text into Go records, one per game tree. */
export function readGoRecords(text: string, file = "<input>"): GoRecord[] {
  const collection: SgfCollection = parseSgf(text, file);
  if (collection.games.length === 0) throw new SgfError("no SGF game tree found (an SGF file starts with '(;')", { file });
  return collection.games.map((root, k) => recordFromTree(root, collection.source, k + 1));
}

/** The rules of a record, with its komi. */
export function recordRules(record: GoRecord): GoRules {
  return makeRules(record.rules, record.komi);
}

/** The side that moves first: PL if given, White after root handicap stones, else Black. */
export function firstPlayerOf(record: Pick<GoRecord, "firstPlayer" | "setupBlack" | "setupWhite" | "handicap">): Player {
  if (record.firstPlayer !== undefined) return record.firstPlayer;
  return record.setupBlack.length > 0 && record.setupWhite.length === 0 && (record.handicap ?? 0) > 0 ? 1 : 0;
}

/** The start position of a record (setup stones placed, first player set, no move cap). */
export function startState(record: GoRecord): GoState {
  const state = new GoState(record.size, { rules: recordRules(record), moveCap: Infinity });
  if (record.setupBlack.length > 0 || record.setupWhite.length > 0) {
    applySetup(state, record, { beforeMove: 0, black: record.setupBlack, white: record.setupWhite, empty: [] }, record.source?.file);
  }
  state.toPlay = firstPlayerOf(record);
  return state;
}

function applySetup(state: GoState, record: GoRecord, setup: GoSetup, file: string | undefined): void {
  const n2 = record.size * record.size;
  const stones = new Uint8Array(n2);
  for (let a = 0; a < n2; a++) stones[a] = state.stoneAt(a);
  for (const a of setup.empty) stones[a] = EMPTY;
  for (const a of setup.black) stones[a] = BLACK_STONE;
  for (const a of setup.white) stones[a] = WHITE_STONE;
  if (!state.setup(stones)) {
    throw new SgfError("setup stones (AB/AW/AE) leave a group without liberties", { file, game: record.game, move: setup.beforeMove > 0 ? setup.beforeMove : undefined });
  }
}

/** Text of a move for messages: "B C3", "W pass", "B zz" (off the board: the SGF letters). */
export function moveText(move: GoMove, size: number): string {
  return `${playerLetter(move.player)} ${move.action < 0 ? (move.text ?? "?") : goActionText(move.action, size)}`;
}

/**
 * Replays the main line under the record's rules and returns the final state. A move by the
 * side not to move is accepted (as in most editors, the other side is taken to have let it
 * play), and so is play after two passes (online servers resume the game when the players
 * dispute the count). An illegal move throws IllegalMoveError naming file, game, move number
 * and move.
 */
export function replay(record: GoRecord, onMove?: (state: GoState, move: GoMove, index: number) => void): GoState {
  const state = startState(record);
  let setupIndex = 0;
  const setups = record.setups ?? [];
  for (let i = 0; i < record.moves.length; i++) {
    while (setupIndex < setups.length && setups[setupIndex]!.beforeMove === i) {
      applySetup(state, record, setups[setupIndex++]!, record.source?.file);
    }
    const move = record.moves[i]!;
    state.toPlay = move.player;
    state.resume();
    const reason = move.action < 0 ? "off-board" : state.illegalReason(move.action);
    if (reason !== null) {
      throw new IllegalMoveError(reason, where(record, { move: i + 1, moveText: moveText(move, record.size) }));
    }
    onMove?.(state, move, i);
    state.playLegal(move.action);
  }
  return state;
}

/** An SGF game tree for a record (main line only; setup stones in the root). */
export function recordToTree(record: GoRecord): SgfNode {
  const point = (a: number): string => sgfPoint(a, record.size);
  const ruleNames: Record<RulesName, string> = { "tromp-taylor": "Tromp-Taylor", chinese: "Chinese", japanese: "Japanese" };
  const root = sgfNode({
    GM: "1",
    FF: "4",
    CA: "UTF-8",
    AP: "fossil:0.1",
    SZ: String(record.size),
    KM: formatNumber(record.komi),
    RU: record.rulesText ?? ruleNames[record.rules],
    HA: record.handicap ? String(record.handicap) : undefined,
    PB: record.black,
    BR: record.blackRank,
    PW: record.white,
    WR: record.whiteRank,
    DT: record.date,
    EV: record.event,
    PC: record.place,
    RE: record.result,
    PL: record.firstPlayer === undefined ? undefined : playerLetter(record.firstPlayer),
    AB: record.setupBlack.length ? record.setupBlack.map(point) : undefined,
    AW: record.setupWhite.length ? record.setupWhite.map(point) : undefined,
  });
  let last = root;
  const append = (node: SgfNode): void => {
    last.children.push(node);
    last = node;
  };
  const setups = record.setups ?? [];
  const list = (points: number[]): string[] | undefined => (points.length ? points.map(point) : undefined);
  record.moves.forEach((move, i) => {
    for (const s of setups) if (s.beforeMove === i) append(sgfNode({ AB: list(s.black), AW: list(s.white), AE: list(s.empty) }));
    append(sgfNode({ [playerLetter(move.player)]: move.action < 0 ? (move.text ?? "") : point(move.action) }));
  });
  return root;
}

/** SGF text of a collection of records. */
export function writeGoRecords(records: readonly GoRecord[]): string {
  return writeSgf(records.map(recordToTree));
}
