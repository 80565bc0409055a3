/**
 * Viewer benchmark (`npm run bench:web`), measured in this run: how fast `fossil serve` answers on
 * a database of `--games N` games (default 100,000). Target (the viewer's issue): a page of the
 * games list answers in under 100 ms.
 *
 * 1. Builds a seeded database in a temporary folder (removed at the end; `--keep FILE` keeps a
 *    copy, `--db FILE` measures such a copy again instead of building): 200 players (reference
 *    engines, the networks of a study's four loop runs and of an older 7x7 loop run, humans whose
 *    games per player are heavy-tailed), runs, matches, generations, a study with its steps and
 *    rating snapshot, and games stored in the order a study's life stores them — an older 7x7
 *    loop with imports, the study's teacher games, then its self-play and rating matches with a
 *    few more imports — dated over one year. Every game is a real random playout (2,000 distinct
 *    9x9 and 500 7x7 ones, reused; some cut short as resignations), so each one replays.
 * 2. Serves it with `createViewer` (no socket: `app.request`) and times each request `--reps`
 *    times (default 30) after a warm-up, the answer read to its last byte: pages of `/api/games`
 *    (first page, a deep page, each filter, a combination, the last page of two rare filters, a
 *    filter that matches nothing, which reads the whole table), one game replayed, the ladder
 *    (first call, on a fresh viewer each time, and cached), the studies, the runs, a
 *    head-to-head table and the database info. Each answer is checked: status 200, its shape,
 *    every game matching the filter, newest first, and its `next` page.
 * 3. The baseline, in the same run: the simplest page SQLite can give, `SELECT * FROM games ORDER
 *    BY id DESC LIMIT 50` prepared once on a read-only connection. Each measurement prints its
 *    median and 95th percentile in ms and as a ratio to the baseline's, and whether it is under
 *    100 ms (95th percentile). Exit code 1 when a page of the games list is not.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import type { Outcome } from "../core/player.js";
import { Rng } from "../core/rng.js";
import { openDatabase } from "../db/schema.js";
import { createMatch, ensurePlayer, ensureRun, gameColumns, insertGames, outcomeColumns, type GameRow } from "../db/store.js";
import type { Game } from "../games/game.js";
import type { GamePage, GameSummary } from "../src/web/answers.js";
import { playoutMove } from "../games/go/playout.js";
import type { GoState } from "../games/go/state.js";
import { parseGameSpec } from "../games/index.js";
import { kindOfName, specText } from "../selfplay/spec.js";
import { studyArms } from "../src/study/prior.js";
import { studyRatings } from "../src/study/rating.js";
import { studySettings } from "../src/study/settings.js";
import { armRun, studyRun } from "../src/study/study.js";
import { generationModel } from "../src/train/generations.js";
import { createViewer, type Viewer } from "../src/web/server.js";

const TARGET_MS = 100;
const PAGE = 50;
const PLAYERS = 200;
const STUDY = "bench-study";
const OLD_LOOP = "bench-loop";
const STUDY_GENERATIONS = 20;
const OLD_LOOP_GENERATIONS = 15;
const GO9_PLAYOUTS = 2000;
const GO7_PLAYOUTS = 500;
const START = "2025-01-01T00:00:00Z";
const DAY_MS = 86_400_000;
const YEAR_DAYS = 365;

// ---------------------------------------------------------------------------------------------
// Options

function usage(message: string): never {
  console.error(`bench:web: ${message}\nusage: node dist/bench/web.js [--games N] [--reps N] [--keep FILE | --db FILE]`);
  process.exit(2);
}

let values: { games?: string; reps?: string; keep?: string; db?: string };
try {
  values = parseArgs({ options: { games: { type: "string" }, reps: { type: "string" }, keep: { type: "string" }, db: { type: "string" } } }).values;
} catch (e) {
  usage((e as Error).message);
}
const whole = (text: string | undefined, name: string, fallback: number, min: number): number => {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text.replace(/_/g, "")) || Number(text.replace(/_/g, "")) < min) usage(`--${name} must be a whole number of at least ${min}, got "${text}"`);
  return Number(text.replace(/_/g, ""));
};
const GAMES = whole(values.games, "games", 100_000, 1000);
const REPS = whole(values.reps, "reps", 30, 5);
if (values.keep !== undefined && values.db !== undefined) usage("--keep and --db exclude each other (--db measures a database kept before)");
if (values.keep !== undefined && existsSync(values.keep)) usage(`--keep ${values.keep}: the file exists (give a new file)`);
if (values.db !== undefined && !existsSync(values.db)) usage(`--db ${values.db}: no such file`);

const fmt = (x: number, digits = 0): string => x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

// ---------------------------------------------------------------------------------------------
// The database

interface Playout {
  actions: number[];
  outcome: Outcome;
  columns: ReturnType<typeof gameColumns>;
}

interface Family {
  game: Game;
  playouts: Playout[];
}

/**
 * `count` distinct random playouts of a Go `game` (the playout policy of `game.playout`: uniform,
 * no own-eye filling), each move recorded. `playoutMove` on the state itself, as `playout` does:
 * `game.randomMove` draws on a copy of the state, 30 times slower.
 */
function playouts(game: Game, count: number, rng: Rng): Playout[] {
  const out: Playout[] = [];
  for (let k = 0; k < count; k++) {
    const r = rng.split(game.id, k);
    const state = game.newState() as GoState;
    const actions: number[] = [];
    let outcome = state.outcome();
    while (outcome === null) {
      const action = playoutMove(state, r);
      state.play(action);
      actions.push(action);
      outcome = state.outcome();
    }
    out.push({ actions, outcome, columns: gameColumns(game, actions) });
  }
  return out;
}

/** A loop run's players and the stretch of the timeline (0: first game stored, 1: last) it plays self-play in. */
interface LoopRun {
  name: string;
  id: number;
  family: Family;
  /** Player ids by generation, 0..generations (the last one trained, not yet playing self-play). */
  players: number[];
  start: number;
  end: number;
}

/** The generation a loop run plays self-play with at time t of the timeline. */
function generationAt(run: LoopRun, t: number): number {
  const g = Math.floor(((t - run.start) / (run.end - run.start)) * (run.players.length - 1));
  return Math.max(0, Math.min(run.players.length - 2, g));
}

/** Builds the benchmark's database at `path`; returns how long its parts took, in seconds. */
function buildDatabase(path: string, n: number): { playouts: number; store: number; finish: number; total: number } {
  const t0 = performance.now();
  const rng = Rng.fromSeed("bench-web");
  const go9: Family = { game: parseGameSpec("go:9"), playouts: [] };
  const go7: Family = { game: parseGameSpec("go:7"), playouts: [] };
  go9.playouts = playouts(go9.game, GO9_PLAYOUTS, rng.split("playouts"));
  go7.playouts = playouts(go7.game, GO7_PLAYOUTS, rng.split("playouts"));
  const t1 = performance.now();

  const db = openDatabase(path);
  // The study (the quick preset on 9x9) and its loop runs, an older 7x7 loop run before it.
  const { settings } = studySettings("quick", { game: "go:9" }, true);
  const studyId = studyRun(db, STUDY, settings);
  const pool = settings.rating.pool;
  const reference = new Map(pool.map((name) => [name, ensurePlayer(db, { name, kind: kindOfName(name), game: null })]));
  const loopRun = (name: string, family: Family, seed: number, arm: string | null, generations: number, start: number, end: number): LoopRun => {
    const config = { command: "loop", game: family.game.spec, start: { blocks: settings.blocks, filters: settings.filters }, seed, ...settings.loop };
    const id = ensureRun(db, name, config, seed, "fossil 0.1");
    const hash = rng.split("model", name);
    const players: number[] = [];
    for (let g = 0; g <= generations; g++) {
      const model = generationModel("models", name, g);
      const file = basename(model, ".onnx");
      const digest = Array.from({ length: 5 }, () => hash.int(256).toString(16).padStart(2, "0")).join("");
      const player = specText({ type: "mcts", model: `${file}@${digest}`, simulations: settings.loop.sims, gumbel: false });
      const evaluations = Math.round((settings.budget * g) / generations);
      players.push(
        ensurePlayer(db, {
          name: player, kind: "network", game: family.game.id, modelPath: model, search: { simulations: settings.loop.sims }, runId: id, arm, generation: g,
          compute: { generations: g, evaluations, cpu_seconds: evaluations / 900, wall_seconds: evaluations / 1000 },
        }),
      );
    }
    const insert = db.prepare(
      `INSERT INTO generations (run_id, generation, player_id, evaluations, samples, selfplay_cpu_seconds, selfplay_wall_seconds, window_samples, train_samples,
         train_steps, policy_loss, value_loss, train_cpu_seconds, train_wall_seconds, trained_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', julianday(?) + ?))`,
    );
    db.transaction(() => {
      for (let g = 0; g < generations; g++) {
        const evaluations = Math.round(settings.budget / generations);
        const at = start + ((g + 1) / generations) * (end - start);
        insert.run(id, g, players[g]!, evaluations, Math.round(evaluations / 70), evaluations / 900, evaluations / 1000, 10_000, 5000, 40, 2.5 - g * 0.03, 0.9 - g * 0.01, 60, 45, START, at * YEAR_DAYS);
      }
      db.prepare("INSERT INTO generations (run_id, generation, player_id) VALUES (?, ?, ?)").run(id, generations, players[generations]!);
    })();
    return { name, id, family, players, start, end };
  };
  const oldLoop = loopRun(OLD_LOOP, go7, 7, null, OLD_LOOP_GENERATIONS, 0, 0.3);
  const studyRuns: LoopRun[] = [];
  for (const seed of settings.seeds) {
    for (const arm of studyArms(settings)) {
      studyRuns.push(loopRun(armRun(STUDY, arm, seed), go9, seed, arm, STUDY_GENERATIONS, seed === 1 ? 0.33 : 0.5, seed === 1 ? 0.8 : 1));
    }
  }
  const steps = db.prepare("INSERT INTO study_steps (run_id, step, cpu_seconds, wall_seconds, info, done_at) VALUES (?, ?, ?, ?, ?, ?)");
  steps.run(studyId, "prior-data", 5400, 2900, JSON.stringify({ games: settings.prior.games }), "2025-04-30T12:00:00.000Z");
  steps.run(studyId, "prior", 1800, 950, JSON.stringify({ epochs: settings.prior.epochs }), "2025-05-01T09:00:00.000Z");
  steps.run(studyId, "rating", 20_000, 11_000, null, null);

  // Humans: the rest of the 200 players, their games heavy-tailed (weight 1/k^1.2 for the k-th).
  const humanCount = PLAYERS - reference.size - oldLoop.players.length - studyRuns.reduce((s, r) => s + r.players.length, 0);
  const ranks = ["15k", "10k", "7k", "5k", "3k", "2k", "1k", "1d", "2d", "4d"];
  const hrng = rng.split("humans");
  const humans = Array.from({ length: humanCount }, (_, k) => ensurePlayer(db, { name: `human-${String(k + 1).padStart(3, "0")}`, kind: "human", game: "go:9", rank: ranks[hrng.int(ranks.length)]! }));
  const order = humans.map((id) => ({ id, key: hrng.float() })).sort((a, b) => a.key - b.key).map((h) => h.id);
  const weights = order.map((_, k) => (k + 1) ** -1.2);
  const total = weights.reduce((a, b) => a + b, 0);
  const pickHuman = (r: Rng): number => {
    let u = r.float() * total;
    for (let k = 0; k < order.length; k++) if ((u -= weights[k]!) <= 0) return order[k]!;
    return order.at(-1)!;
  };

  const grng = rng.split("games");
  const pick = <T>(items: readonly T[]): T => items[grng.int(items.length)]!;
  /** A game's moves and result: a whole playout, or (share `resign`) a prefix of one and a resignation. */
  const play = (family: Family, resign: number): Pick<GameRow, "game" | "spec" | "boardSize" | "rules" | "komi" | "moves" | "length" | "result" | "winner" | "score" | "endReason"> => {
    const p = pick(family.playouts);
    if (grng.float() < resign && p.actions.length > 12) {
      const length = 10 + grng.int(p.actions.length - 10);
      const { endReason, ...result } = outcomeColumns({ winner: grng.int(2) as 0 | 1, score: NaN, reason: "resign" });
      return { ...gameColumns(family.game, p.actions.slice(0, length)), ...result, endReason };
    }
    const { endReason, ...result } = outcomeColumns(p.outcome);
    return { ...p.columns, ...result, endReason };
  };
  const dateAt = (t: number, back: number): string => new Date(Date.parse(START) + t * YEAR_DAYS * DAY_MS - back * DAY_MS).toISOString().slice(0, 10);

  let rows: GameRow[] = [];
  let made = 0;
  let fingerprint = 0;
  let anchorPlayed = false;
  const add = (row: GameRow): void => {
    rows.push(row);
    made++;
    if (rows.length >= 5000) {
      insertGames(db, rows);
      rows = [];
    }
  };
  const referenceIds = [...reference.values()];
  const rated = (run: LoopRun, t: number): number[] => run.players.filter((_, g) => g % 4 === 0 && g <= generationAt(run, t) + 1);
  while (made < n) {
    const t = made / n;
    const left = n - made;
    const u = grng.float();
    if (t >= 0.3 && t < 0.33) {
      // The study's prior: the teacher (GNU Go level 1) against itself, a few random opening moves each.
      const teacher = reference.get(settings.prior.source)!;
      for (let k = Math.min(left, 100); k > 0; k--) {
        const openings = grng.int(settings.prior.openings + 1);
        add({ ...play(go9, 0), blackId: teacher, whiteId: teacher, source: "teacher", runId: studyId, randomMoves: Array.from({ length: openings }, (_, i) => i) });
      }
    } else if (u < (t < 0.3 ? 0.6 : 0.65)) {
      // A self-play chunk of a loop run active now: its current network against itself.
      const active = t < 0.3 ? [oldLoop] : studyRuns.filter((r) => t >= r.start && t <= r.end);
      const run = pick(active.length > 0 ? active : studyRuns);
      const player = run.players[generationAt(run, t)]!;
      for (let k = Math.min(left, 50 + grng.int(100)); k > 0; k--) add({ ...play(run.family, 0.15), blackId: player, whiteId: player, source: "selfplay", runId: run.id });
    } else if (u < (t < 0.3 ? 0.7 : 0.9)) {
      // A match: the study's rating games (a checkpoint against a reference player or another
      // checkpoint), or before the study the old loop's networks against reference players.
      const study = t >= 0.3;
      const runs = study ? studyRuns.filter((r) => t >= r.start) : [oldLoop];
      const run = pick(runs.length > 0 ? runs : studyRuns);
      const network = pick(rated(run, t));
      const checkpoints = study ? rated(pick(runs.length > 0 ? runs : studyRuns), t).filter((p) => p !== network) : [];
      // The study's first rating match is against random, the anchor of its ratings.
      const other = study && !anchorPlayed ? reference.get("random")! : grng.float() < 0.7 || checkpoints.length === 0 ? pick(referenceIds) : pick(checkpoints);
      if (study) anchorPlayed = true;
      const matchId = createMatch(db, run.family.game.spec, { games: 100, swap: true }, study ? studyId : null);
      for (let k = Math.min(left, 20 + grng.int(100)), j = 0; k > 0; k--, j++) {
        const [blackId, whiteId] = j % 2 === 0 ? [network, other] : [other, network];
        add({ ...play(run.family, 0.3), blackId, whiteId, source: "match", matchId, runId: study ? studyId : null });
      }
    } else if (u < (t < 0.3 ? 0.9 : 0.95)) {
      // Human games imported from a server's records: humans against humans, dated.
      for (let k = Math.min(left, 50 + grng.int(200)); k > 0; k--) {
        const blackId = pickHuman(grng);
        let whiteId = pickHuman(grng);
        while (whiteId === blackId) whiteId = pickHuman(grng);
        add({ ...play(go9, 0.6), blackId, whiteId, source: "human", playedAt: dateAt(t, grng.int(1500)), fingerprint: `bench-${++fingerprint}` });
      }
    } else {
      // Other SGF imports: engines and humans.
      for (let k = Math.min(left, 30 + grng.int(170)); k > 0; k--) {
        const anyone = (): number => (grng.float() < 0.5 ? pickHuman(grng) : pick(referenceIds));
        const blackId = anyone();
        let whiteId = anyone();
        while (whiteId === blackId) whiteId = anyone();
        add({ ...play(go9, 0.4), blackId, whiteId, source: "import", playedAt: dateAt(t, grng.int(3000)), fingerprint: `bench-${++fingerprint}` });
      }
    }
  }
  if (rows.length > 0) insertGames(db, rows);
  const t2 = performance.now();

  // Dates of storing spread over the year in storing order; generations' game counts; the study's rating snapshot.
  db.transaction(() => {
    const span = db.prepare("SELECT min(id) AS first, max(id) AS last FROM games").get() as { first: number; last: number };
    db.prepare("UPDATE games SET stored_at = strftime('%Y-%m-%dT%H:%M:%fZ', julianday(?) + (id - ?) * (? * 1.0) / ?)").run(START, span.first, YEAR_DAYS, Math.max(1, span.last - span.first + 1));
    db.prepare(
      `UPDATE generations SET games = (SELECT count(*) FROM games g WHERE g.black_id = generations.player_id AND g.source = 'selfplay'),
         moves = (SELECT coalesce(sum(length), 0) FROM games g WHERE g.black_id = generations.player_id AND g.source = 'selfplay')`,
    ).run();
  }).immediate();
  if (anchorPlayed) studyRatings(db, studyId, go9.game, true);
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
  const t3 = performance.now();
  return { playouts: (t1 - t0) / 1000, store: (t2 - t1) / 1000, finish: (t3 - t2) / 1000, total: (t3 - t0) / 1000 };
}

// ---------------------------------------------------------------------------------------------
// Measuring

interface Measurement {
  label: string;
  url: string;
  /** A page of the games list: the target applies. */
  page: boolean;
  median: number;
  p95: number;
  n: number;
  note: string;
}

/** The 95th percentile by nearest rank, and the median. */
function stats(samples: number[]): { median: number; p95: number } {
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, p95: s[Math.ceil(0.95 * s.length) - 1]! };
}

class CheckError extends Error {}

function expect(ok: boolean, what: string): void {
  if (!ok) throw new CheckError(what);
}

async function get(app: Viewer["app"], url: string): Promise<{ status: number; text: string }> {
  const res = await app.request(url);
  return { status: res.status, text: await res.text() };
}

/** Times `url` REPS times after a warm-up; `check` sees the last answer. */
async function timed(app: Viewer["app"], url: string, check: (body: unknown) => void | Promise<void>, reps = REPS): Promise<{ median: number; p95: number; body: unknown }> {
  for (let w = 0; w < 3; w++) await get(app, url);
  const samples: number[] = [];
  let last = { status: 0, text: "" };
  for (let r = 0; r < reps; r++) {
    const start = performance.now();
    last = await get(app, url);
    samples.push(performance.now() - start);
    expect(last.status === 200, `${url}: status ${last.status} (${last.text.slice(0, 200)})`);
  }
  const body = JSON.parse(last.text) as unknown;
  await check(body);
  return { ...stats(samples), body };
}


/** Checks a page of the games list: at most a page, newest first, before `before`, each game matching. */
function checkPage(url: string, body: unknown, match: (g: GameSummary) => boolean, before: number | undefined): GamePage {
  const page = body as GamePage;
  expect(Array.isArray(page?.games) && (page.next === null || typeof page.next === "number"), `${url}: not { games, next }`);
  expect(page.games.length <= PAGE, `${url}: ${page.games.length} games on a page of ${PAGE}`);
  page.games.forEach((g, k) => {
    expect(typeof g.id === "number" && typeof g.black === "string" && typeof g.white === "string" && typeof g.storedAt === "string", `${url}: game ${k} lacks its fields`);
    expect(k === 0 || g.id < page.games[k - 1]!.id, `${url}: games not newest first`);
    expect(before === undefined || g.id < before, `${url}: game ${g.id} is not before ${before}`);
    expect(match(g), `${url}: game ${g.id} does not match the filter (${JSON.stringify(g)})`);
  });
  expect(page.next === null || page.next === page.games.at(-1)?.id, `${url}: next ${page.next} is not the page's last id`);
  return page;
}

const query = (params: Record<string, string | number | undefined>): string => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const text = q.toString();
  return text === "" ? "" : `?${text}`;
};

async function main(): Promise<void> {
  console.log(`fossil viewer benchmark — node ${process.version}, ${REPS} repetitions per measurement, target: a page of the games list under ${TARGET_MS} ms`);
  const dir = mkdtempSync(join(tmpdir(), "fossil-bench-web-"));
  const viewers: Viewer[] = [];
  let path = values.db ?? join(dir, "bench.db");
  try {
    if (values.db === undefined) {
      const built = buildDatabase(path, GAMES);
      console.log(
        `  built a database of ${fmt(GAMES)} games in ${fmt(built.total, 1)} s (${fmt(GO9_PLAYOUTS)} 9x9 and ${fmt(GO7_PLAYOUTS)} 7x7 playouts ${fmt(built.playouts, 1)} s, ` +
          `players, runs and games stored ${fmt(built.store, 1)} s, dates and rating snapshot ${fmt(built.finish, 1)} s): ${fmt(statSync(path).size / 1e6, 0)} MB`,
      );
      if (values.keep !== undefined) {
        copyFileSync(path, values.keep);
        path = values.keep;
        console.log(`  kept as ${values.keep} (measure it again with --db ${values.keep})`);
      }
    } else {
      console.log(`  measuring ${path} (${fmt(statSync(path).size / 1e6, 0)} MB), not built in this run`);
    }

    // What to ask for: read from the database (so that a kept one measures the same).
    const ro = openDatabase(path, { readonly: true });
    const one = <T>(sql: string, ...args: unknown[]): T => ro.prepare(sql).pluck().get(...args) as T;
    expect(one<number | undefined>("SELECT id FROM runs WHERE name = ?", STUDY) !== undefined, `${path} is not a database of this benchmark (no run ${STUDY})`);
    const count = one<number>("SELECT count(*) FROM games");
    const oldest = one<number>("SELECT min(id) FROM games");
    const firstDate = Date.parse(one<string>("SELECT stored_at FROM games ORDER BY id LIMIT 1"));
    const lastDate = Date.parse(one<string>("SELECT stored_at FROM games ORDER BY id DESC LIMIT 1"));
    const day = (fraction: number): string => new Date(firstDate + fraction * (lastDate - firstDate)).toISOString().slice(0, 10);
    const counts = ro
      .prepare(
        `SELECT p.name, p.kind, (SELECT count(*) FROM games WHERE black_id = p.id) + (SELECT count(*) FROM games WHERE white_id = p.id AND black_id <> p.id) AS n
         FROM players p ORDER BY n DESC, p.name`,
      )
      .all() as { name: string; kind: string; n: number }[];
    const many = counts[0]!;
    const few = counts.filter((c) => c.n > 0).at(-1)!;
    const manyId = one<number>("SELECT id FROM players WHERE name = ?", many.name);
    const manyDeep = one<number | undefined>("SELECT id FROM games WHERE black_id = ? OR white_id = ? ORDER BY id LIMIT 1 OFFSET 100", manyId, manyId);
    /** The games matching `where`, and the last page of them: its size and its `before` (none: the first page is the last). */
    const lastPage = (where: string): { count: number; size: number; before: number | undefined } => {
      const n = one<number>(`SELECT count(*) FROM games WHERE ${where}`);
      const size = n - PAGE * Math.floor(Math.max(0, n - 1) / PAGE);
      return { count: n, size, before: n > PAGE ? one<number>(`SELECT id FROM games WHERE ${where} ORDER BY id LIMIT 1 OFFSET ?`, size) : undefined };
    };
    const draws = lastPage("winner IS NULL AND result = '0'");
    const teacher = lastPage("source = 'teacher'");
    const none = one<number>("SELECT count(*) FROM games WHERE length <= 5");
    const replayId = one<number>("SELECT id FROM games WHERE game = 'go:9' AND length >= 100 AND moves IS NOT NULL ORDER BY id DESC LIMIT 1");
    const replayLength = one<number>("SELECT length FROM games WHERE id = ?", replayId);
    const recentRun = armRun(STUDY, "zero", 2);
    const runCount = one<number>("SELECT count(*) FROM runs");

    // The baseline: the simplest page, straight from SQLite.
    const baseline = ro.prepare("SELECT * FROM games ORDER BY id DESC LIMIT 50");
    for (let w = 0; w < 50; w++) baseline.all();
    const baseSamples: number[] = [];
    for (let r = 0; r < REPS * 10; r++) {
      const start = performance.now();
      const got = baseline.all();
      baseSamples.push(performance.now() - start);
      expect(got.length === Math.min(PAGE, count), "baseline: not a page");
    }
    const base = stats(baseSamples);
    console.log(`  baseline: SELECT * FROM games ORDER BY id DESC LIMIT 50, prepared once, ${REPS * 10} times: median ${fmt(base.median, 3)} ms, 95th percentile ${fmt(base.p95, 3)} ms`);
    console.log(
      `  ${fmt(count)} games; player with most games ${many.name} (${many.kind}, ${fmt(many.n)}), with fewest ${few.name} (${few.kind}, ${fmt(few.n)}); ` +
        `draws ${fmt(draws.count)}, teacher games ${fmt(teacher.count)}; game replayed ${replayId} (${replayLength} moves)`,
    );

    const viewer = await createViewer({ db: path });
    viewers.push(viewer);
    const { app } = viewer;
    const results: Measurement[] = [];

    /** A games-list page: timed, checked, and its `next` page fetched and checked. */
    const listPage = async (label: string, params: Record<string, string | number | undefined>, match: (g: GameSummary) => boolean, expectPage: { last?: number } = {}): Promise<void> => {
      const url = `/api/games${query({ ...params })}`;
      const before = typeof params.before === "number" ? params.before : undefined;
      const r = await timed(app, url, async (body) => {
        const page = checkPage(url, body, match, before);
        if (expectPage.last !== undefined) expect(page.next === null && page.games.length === expectPage.last, `${url}: the last page should hold ${expectPage.last} games and no next, got ${page.games.length}, next ${page.next}`);
        if (page.next !== null) {
          const nextUrl = `/api/games${query({ ...params, before: page.next })}`;
          const answer = await get(app, nextUrl);
          expect(answer.status === 200, `${nextUrl}: status ${answer.status}`);
          const nextPage = checkPage(nextUrl, JSON.parse(answer.text), match, page.next);
          expect(nextPage.games.length > 0, `${nextUrl}: next page is empty`);
        }
      });
      const page = r.body as GamePage;
      results.push({ label, url, page: true, median: r.median, p95: r.p95, n: page.games.length, note: page.next === null ? "last page" : "" });
    };
    const other = async (label: string, url: string, check: (body: unknown) => void, size: (body: unknown) => number): Promise<void> => {
      const r = await timed(app, url, check);
      results.push({ label, url, page: false, median: r.median, p95: r.p95, n: size(r.body), note: "" });
    };

    const all = (): boolean => true;
    const isPlayer = (name: string) => (g: GameSummary): boolean => g.black === name || g.white === name;
    const monthFrom = day(0.5);
    const monthTo = day(0.5 + 30 / YEAR_DAYS);
    const quarter = day(0.25);
    await listPage("first page, no filter", {}, all);
    await listPage("deep page (before: near the oldest)", { before: oldest + 200 }, all);
    await listPage(`player, most games (${fmt(many.n)})`, { player: many.name }, isPlayer(many.name));
    if (manyDeep !== undefined) await listPage("player, most games, deep page", { player: many.name, before: manyDeep }, isPlayer(many.name));
    await listPage(`player, fewest games (${fmt(few.n)})`, { player: few.name }, isPlayer(few.name));
    await listPage("source=teacher (3%, older)", { source: "teacher" }, (g) => g.source === "teacher");
    await listPage("source=human", { source: "human" }, (g) => g.source === "human");
    await listPage("run, recent (a study loop)", { run: recentRun }, (g) => g.run === recentRun);
    await listPage("run, older (the 7x7 loop)", { run: OLD_LOOP }, (g) => g.run === OLD_LOOP);
    await listPage("result=white", { result: "white" }, (g) => g.winner === 1);
    await listPage("min_length=60, max_length=80", { min_length: 60, max_length: 80 }, (g) => g.length !== null && g.length >= 60 && g.length <= 80);
    await listPage("from/to: one month mid-year", { from: monthFrom, to: monthTo }, (g) => g.storedAt >= monthFrom && g.storedAt < `${monthTo}T99`);
    await listPage("game=go:7 (the older family)", { game: "go:7" }, (g) => g.game === "go:7");
    await listPage("player+result+min_length+from", { player: many.name, result: "black", min_length: 40, from: quarter }, (g) => isPlayer(many.name)(g) && g.winner === 0 && (g.length ?? 0) >= 40 && g.storedAt >= quarter);
    // The last page of a rare filter: its `before` is the last game of the page before it. Draws
    // are spread over the whole table; the teacher's games lie together a third of the way in, so
    // the last page asks for what lies below them.
    if (draws.count > 0) await listPage(`last page, rare filter (result=draw, ${fmt(draws.count)})`, { result: "draw", before: draws.before }, (g) => g.result === "0", { last: draws.size });
    if (teacher.count > 0) await listPage(`last page, rare filter (source=teacher, ${fmt(teacher.count)})`, { source: "teacher", before: teacher.before }, (g) => g.source === "teacher", { last: teacher.size });
    // A filter that matches nothing: the whole table is read to say so (the bound of any filter without an index).
    await listPage(`no game matches (max_length=5, ${fmt(none)})`, { max_length: 5 }, (g) => (g.length ?? 0) <= 5, none <= PAGE ? { last: none } : {});

    await other(`one game replayed (/api/games/ID, ${replayLength} moves)`, `/api/games/${replayId}`, (body) => {
      const g = body as { id: number; positions: { cells: string }[] };
      expect(g.id === replayId && g.positions.length === replayLength + 1, `/api/games/${replayId}: not the game with ${replayLength + 1} positions`);
    }, (body) => (body as { positions: unknown[] }).positions.length);

    // The ladder's first call fits the ratings: a fresh viewer for each (its cache empty), fewer repetitions.
    const ladderCheck = (body: unknown): void => {
      const l = body as { game: string; rows: unknown[] };
      expect(l.game === "go:9" && Array.isArray(l.rows) && l.rows.length > 0, "/api/ladder: no rows of go:9");
    };
    const coldSamples: number[] = [];
    let coldRows = 0;
    const coldReps = Math.min(REPS, 5);
    for (let r = 0; r < coldReps; r++) {
      const fresh = await createViewer({ db: path });
      try {
        await get(fresh.app, "/api/info");
        const start = performance.now();
        const answer = await get(fresh.app, "/api/ladder");
        coldSamples.push(performance.now() - start);
        expect(answer.status === 200, `/api/ladder: status ${answer.status}`);
        const body = JSON.parse(answer.text) as { rows: unknown[] };
        ladderCheck(body);
        coldRows = body.rows.length;
      } finally {
        await fresh.close();
      }
    }
    const cold = stats(coldSamples);
    results.push({ label: `ladder, first call (fit; ${coldReps} fresh viewers)`, url: "/api/ladder", page: false, median: cold.median, p95: cold.p95, n: coldRows, note: "" });
    await other("ladder, cached", "/api/ladder", ladderCheck, (body) => (body as { rows: unknown[] }).rows.length);
    await other("studies", "/api/studies", (body) => {
      const s = body as { study: string; snapshot: number | null; checkpoints: unknown[] }[];
      expect(Array.isArray(s) && s.length === 1 && s[0]!.study === STUDY && (s[0]!.snapshot === null || s[0]!.checkpoints.length > 0), "/api/studies: not the study with its rated checkpoints");
    }, (body) => (body as unknown[]).length);
    await other("runs", "/api/runs", (body) => expect(Array.isArray(body) && body.length === runCount - 1, `/api/runs: not the ${runCount - 1} loop runs`), (body) => (body as unknown[]).length);
    await other("head-to-head, player with most games", `/api/head-to-head${query({ player: many.name })}`, (body) => {
      expect(Array.isArray((body as { rows: unknown[] }).rows), "/api/head-to-head: no rows");
    }, (body) => (body as { rows: unknown[] }).rows.length);
    await other("info", "/api/info", (body) => expect((body as { games: number }).games === count, `/api/info: not ${count} games`), () => 1);
    ro.close();

    // The table.
    const width = Math.max(...results.map((r) => r.label.length));
    const ratio = (x: number): string => `${fmt(x, x < 10 ? 1 : 0)}x`;
    console.log(`\n  ${"measurement".padEnd(width)}  rows   median ms    p95 ms  median/base  p95/base  under ${TARGET_MS} ms`);
    for (const r of results) {
      const verdict = r.p95 < TARGET_MS ? "yes" : "NO";
      console.log(
        `  ${r.label.padEnd(width)}  ${String(r.n).padStart(4)}  ${fmt(r.median, 2).padStart(10)}  ${fmt(r.p95, 2).padStart(8)}  ${ratio(r.median / base.median).padStart(11)}  ${ratio(r.p95 / base.p95).padStart(8)}  ${verdict}${r.page ? "" : " (no target)"}${r.note ? `  ${r.note}` : ""}`,
      );
    }
    console.log("\n  requests:");
    for (const r of results) console.log(`    ${r.label.padEnd(width)}  ${r.url}`);
    const slow = results.filter((r) => r.page && r.p95 >= TARGET_MS);
    if (slow.length === 0) {
      console.log(`\n  target: every page of the games list under ${TARGET_MS} ms (95th percentile) on ${fmt(count)} games: met`);
    } else {
      console.log(`\n  target: every page of the games list under ${TARGET_MS} ms (95th percentile) on ${fmt(count)} games: NOT met by`);
      for (const r of slow) console.log(`    ${r.label}: 95th percentile ${fmt(r.p95, 1)} ms (${r.url})`);
      process.exitCode = 1;
    }
  } finally {
    for (const v of viewers) await v.close();
    // A kept copy: one read-write open and close merges and removes the -wal and -shm files the viewer's read-only connections left.
    if (values.keep !== undefined && existsSync(values.keep)) openDatabase(values.keep).close();
    rmSync(dir, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (e) {
  if (e instanceof CheckError) {
    console.error(`bench:web: a check failed: ${e.message}`);
    process.exit(1);
  }
  throw e;
}
