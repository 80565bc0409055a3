/**
 * Learning benchmark (`npm run bench:learn`): does the self-play loop make a network stronger on
 * this machine? From fresh weights, `fossil loop` with its defaults runs for LEARN_MINUTES of
 * wall clock (default 30) on LEARN_GAME (default go:7); then generation 0 and LEARN_CHECKPOINTS
 * (default 6) later networks, evenly spaced to the last one, each playing at 64 simulations, are
 * rated on one scale by matches (LEARN_PAIR_GAMES each, default 20, colours alternating) against a
 * fixed pool — random, rollout:50, rollout:200, and builtin:200 and GNU Go level 1 for Go (where
 * GNU Go is installed), or the solver erring half the time for Connect Four — and the last network
 * plays 100 games against rollout:200 (target: at least 70% won). Prints the Elo of each
 * network against the compute spent to make it (self-play evaluations, CPU seconds), and for
 * Connect Four the share of the last network's moves that lose value on the shared Test_L2_R1
 * positions (the solver's judgement). Last, the time to the target: the first generation that
 * wins at least 70% of LEARN_SCAN_GAMES (default 40) against rollout:200, found by doubling the
 * generation until one passes and then bisecting between the last failing and the first passing
 * one, with the loop's wall-clock minutes and self-play evaluations that made it — the figure to
 * compare between training backends (FOSSIL_TRAIN_BACKEND). LEARN_DIR keeps the database and
 * checkpoints (a rerun with the same LEARN_DIR continues the run and rates it again).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "../core/rng.js";
import { computeLadder } from "../db/ladder.js";
import { openDatabase } from "../db/schema.js";
import { Connect4Solver } from "../games/connect4/solver.js";
import { connect4FromMoves } from "../games/connect4/state.js";
import { parseGameSpec } from "../games/index.js";
import { createPlayer } from "../selfplay/players.js";
import { GNUGO } from "../selfplay/spec.js";
import { generationLine } from "../src/commands/loop.js";
import { runMatch } from "../src/play/match.js";
import { generationModel, LOOP_DEFAULTS, runLoop } from "../src/train/generations.js";
import { chooseTrainingBackend } from "../models/trainer.js";

const MINUTES = Number(process.env.LEARN_MINUTES ?? 30);
const game = parseGameSpec(process.env.LEARN_GAME ?? "go:7");
const CHECKPOINTS = Number(process.env.LEARN_CHECKPOINTS ?? 6);
const PAIR_GAMES = Number(process.env.LEARN_PAIR_GAMES ?? 20);
const TARGET_GAMES = Number(process.env.LEARN_TARGET_GAMES ?? 100);
const SCAN_GAMES = Number(process.env.LEARN_SCAN_GAMES ?? 40);
const TARGET_SHARE = 0.7;
const SIMS = 64;
const dir = process.env.LEARN_DIR ?? mkdtempSync(join(tmpdir(), "fossil-learn-"));
mkdirSync(dir, { recursive: true });
const isGo = game.id.startsWith("go:");
const pool = ["random", "rollout:50", "rollout:200", ...(isGo ? ["builtin:200", ...(existsSync(GNUGO) ? ["gnugo:1"] : [])] : ["solver:0.5"])];

console.log(`fossil learning benchmark — ${game.spec}, fossil loop defaults (${LOOP_DEFAULTS.games} games a generation, ${LOOP_DEFAULTS.sims}/${LOOP_DEFAULTS.cheapSims} simulations, 4x32 network, training on ${chooseTrainingBackend()}), ${MINUTES} minutes of wall clock; ${dir}`);
const db = openDatabase(join(dir, "learn.db"));
const models = join(dir, "models");
const run = `learn-${game.id.replace(":", "")}`;
const controller = new AbortController();
const timer = setTimeout(() => controller.abort(), MINUTES * 60_000);
const started = performance.now();
const summary = await runLoop(db, { ...LOOP_DEFAULTS, game, run, models, blocks: 4, filters: 32, seed: 1, generations: 100_000, signal: controller.signal }, (event) => {
  if (event.phase === "done") process.stdout.write(generationLine(event.report));
});
clearTimeout(timer);
const trained = db.prepare("SELECT count(*) FROM generations g JOIN runs r ON r.id = g.run_id WHERE r.name = ? AND g.trained_at IS NOT NULL").pluck().get(run) as number;
console.log(`loop: ${trained} generations trained in ${((performance.now() - started) / 60_000).toFixed(1)} minutes (this call: ${summary.trainedNow})`);
if (trained === 0) {
  console.log("no network trained: nothing to rate");
  process.exit(1);
}

// Checkpoints to rate: generation 0, then evenly spaced to the last.
const picks = [...new Set([0, ...Array.from({ length: CHECKPOINTS }, (_, k) => Math.round(((k + 1) * trained) / CHECKPOINTS))])];
const spec = (g: number): string => `mcts:${generationModel(models, run, g)}:${SIMS}`;
const play = async (black: string, white: string, games: number): Promise<{ wins: number; losses: number; draws: number }> => {
  const done = await runMatch(db, { game, black, white, games, swap: true, seed: 1, concurrent: 16 });
  return done.score;
};
const ratingStart = performance.now();
for (const g of picks) {
  for (const opponent of pool) await play(spec(g), opponent, PAIR_GAMES);
  process.stdout.write(`rated generation ${g} against ${pool.join(", ")} (${PAIR_GAMES} games each)\n`);
}
const last = picks.at(-1)!;
const target = await play(spec(last), "rollout:200", TARGET_GAMES);
const ratingMinutes = (performance.now() - ratingStart) / 60_000;

const ladder = computeLadder(db, { game: game.id, anchor: { name: "random", elo: 0 } });
const eloOf = new Map(ladder.rows.map((r) => [r.player, r]));
console.log(`\nElo (random = 0, ±95%) of the pool and of each network at ${SIMS} simulations, against the compute spent to make it:`);
for (const name of pool) {
  const r = eloOf.get(name);
  if (r) console.log(`  ${name.padEnd(14)} ${r.elo.toFixed(0).padStart(6)} ± ${r.ci95.toFixed(0)}`);
}
console.log("  generation     Elo    ±95%  self-play evaluations  CPU seconds");
const players = db.prepare("SELECT name, generation, compute FROM players WHERE kind = 'network' AND run_id = (SELECT id FROM runs WHERE name = ?)").all(run) as { name: string; generation: number; compute: string }[];
const curve: number[] = [];
for (const g of picks) {
  const p = players.find((x) => x.generation === g);
  const r = p && eloOf.get(p.name);
  if (!p || !r) continue;
  const compute = JSON.parse(p.compute) as { evaluations: number; cpu_seconds: number };
  curve.push(r.elo);
  console.log(`  ${String(g).padStart(10)} ${r.elo.toFixed(0).padStart(7)} ${r.ci95.toFixed(0).padStart(7)} ${String(compute.evaluations).padStart(22)} ${compute.cpu_seconds.toFixed(0).padStart(12)}`);
}
const rises = curve.every((elo, k) => k === 0 || elo > curve[k - 1]!);
// Of the match's games (a match already stored for the same pair and seed is continued, not played again).
const shareOf = (s: { wins: number; losses: number; draws: number }): number => (s.wins + s.draws / 2) / Math.max(1, s.wins + s.losses + s.draws);
const share = shareOf(target);
console.log(`\nlast network (generation ${last}) against rollout:200: ${target.wins} wins, ${target.losses} losses, ${target.draws} draws in ${target.wins + target.losses + target.draws} games: ${(100 * share).toFixed(0)}%  target >= 70%: ${share >= TARGET_SHARE ? "met" : "missed"}`);
console.log(`Elo rises from each rated generation to the next: ${rises ? "yes" : "no"}  (rating took ${ratingMinutes.toFixed(1)} minutes)`);

// Time to the target: the first generation winning TARGET_SHARE of SCAN_GAMES against rollout:200
// (doubling, then bisection: it assumes strength rises with generations, which the curve above shows or not).
const scanned = new Map<number, number>();
const passes = async (g: number): Promise<boolean> => {
  if (!scanned.has(g)) scanned.set(g, shareOf(await play(spec(g), "rollout:200", SCAN_GAMES)));
  return scanned.get(g)! >= TARGET_SHARE;
};
let failing = 0;
let passing: number | null = null;
for (let g = 1; passing === null; g = Math.min(2 * g, trained)) {
  if (await passes(g)) passing = g;
  else if (g === trained) break;
  else failing = g;
}
while (passing !== null && passing - failing > 1) {
  const mid = Math.floor((failing + passing) / 2);
  if (await passes(mid)) passing = mid;
  else failing = mid;
}
const probes = [...scanned].sort((a, b) => a[0] - b[0]).map(([g, s]) => `${g}: ${(100 * s).toFixed(0)}%`).join(", ");
if (passing === null) console.log(`time to the target: no generation up to ${trained} won ${100 * TARGET_SHARE}% of ${SCAN_GAMES} games against rollout:200 (${probes})`);
else {
  // Network g is made by generations 0..g-1: their self-play and training.
  const spent = db
    .prepare(
      `SELECT sum(g.selfplay_wall_seconds + g.train_wall_seconds) AS wall, sum(g.evaluations) AS evaluations
       FROM generations g JOIN runs r ON r.id = g.run_id WHERE r.name = ? AND g.generation < ?`,
    )
    .get(run, passing) as { wall: number; evaluations: number };
  console.log(
    `time to the target: generation ${passing} is the first to win ${100 * TARGET_SHARE}% of ${SCAN_GAMES} games against rollout:200, after ${(spent.wall / 60).toFixed(1)} minutes of the loop's self-play and training and ${(spent.evaluations / 1e6).toFixed(2)}M self-play evaluations (generations probed: ${probes})`,
  );
}

if (!isGo) {
  // Moves of the last network (64 simulations) that lose value, by the solver's exact analysis.
  // The shared data beside the repository (dist/bench/ is two folders down), or FOSSIL_SHARED_DATA.
  const shared = process.env.FOSSIL_SHARED_DATA ?? join(import.meta.dirname, "..", "..", "..", "shared", "data");
  const path = join(shared, "connect4", "Test_L2_R1");
  if (!existsSync(path)) console.log(`(no ${path}: the value-losing share is not measured)`);
  else {
    const player = await createPlayer(spec(last), game);
    const solver = new Connect4Solver();
    const rng = Rng.fromSeed("learn-c4");
    const lines = readFileSync(path, "utf8").trim().split("\n").slice(0, 200);
    let losing = 0;
    for (const line of lines) {
      const state = connect4FromMoves(line.split(" ")[0]!);
      const scores = solver.analyze(state);
      const best = Math.max(...scores.filter((s): s is number => s !== null));
      const move = (await player.chooseMove(state.clone(), rng)) as number;
      if (Math.sign(scores[move]!) < Math.sign(best)) losing++;
    }
    await player.close();
    console.log(`moves of generation ${last} that lose value on ${lines.length} Test_L2_R1 positions: ${losing} (${((100 * losing) / lines.length).toFixed(1)}%)`);
  }
}
db.close();
