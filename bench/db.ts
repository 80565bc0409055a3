/**
 * Database benchmark (`npm run bench:db`), measured in this run: games stored per second in
 * batches of 1,000 (target: at least 20,000/s), a Bradley–Terry fit over 200 players and 100,000
 * games (target: under 2 s), a fit over 3,000 players with a sparse, human-like game graph (about
 * 16,000 games: half the players play once, a few thousands of times, opponents of similar
 * strength, like the go9-ogs-human data; target: under 1 s), and the ladder (fit from the
 * database, snapshot stored, then read through the `ladder` view).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { computeLadder } from "../db/ladder.js";
import { fitRatings, type Result } from "../db/ratings.js";
import { openDatabase } from "../db/schema.js";
import { humanLikeResults } from "../db/synthetic.js";
import { ensurePlayer, gameColumns, insertGames, type GameRow } from "../db/store.js";
import { parseGameSpec } from "../games/index.js";
import { Rng } from "../core/rng.js";

const PLAYERS = 200;
const GAMES = 100_000;
const BATCH = 1000;

const rng = Rng.fromSeed("bench-db");
const truth = Array.from({ length: PLAYERS }, () => rng.normal() * 400);
const results: Result[] = [];
for (let g = 0; g < GAMES; g++) {
  const black = rng.int(PLAYERS);
  let white = rng.int(PLAYERS - 1);
  if (white >= black) white++;
  const p = 1 / (1 + 10 ** ((truth[white]! - truth[black]! - 30) / 400));
  results.push({ black, white, blackScore: rng.float() < p ? 1 : 0 });
}

console.log(`fossil database benchmark — node ${process.version}`);
const db = openDatabase(join(mkdtempSync(join(tmpdir(), "fossil-bench-db-")), "bench.db"));
const ids = truth.map((_, i) => ensurePlayer(db, { name: `player-${i}`, kind: "other", game: "go:9" }));
const columns = gameColumns(parseGameSpec("go:9"), Array.from({ length: 60 }, () => rng.int(82)));
const rows: GameRow[] = results.map((r) => ({
  ...columns,
  blackId: ids[r.black]!,
  whiteId: ids[r.white]!,
  result: r.blackScore === 1 ? "B+R" : "W+R",
  winner: r.blackScore === 1 ? 0 : 1,
  endReason: "resign",
  source: "match",
}));
let start = performance.now();
for (let i = 0; i < rows.length; i += BATCH) insertGames(db, rows.slice(i, i + BATCH));
const storeSeconds = (performance.now() - start) / 1000;
const perSecond = GAMES / storeSeconds;
console.log(`  store ${GAMES.toLocaleString("en-US")} games (60 moves each) in batches of ${BATCH}: ${Math.round(perSecond).toLocaleString("en-US")} games/s   target >= 20,000/s: ${perSecond >= 20000 ? "met" : "NOT met"}`);

start = performance.now();
const fit = fitRatings(PLAYERS, results, { anchor: 0, anchorElo: truth[0], firstMoveAdvantage: true });
const fitSeconds = (performance.now() - start) / 1000;
let inside = 0;
for (let p = 1; p < PLAYERS; p++) if (Math.abs(fit.elo[p]! - truth[p]!) <= fit.ci95[p]!) inside++;
console.log(`  fit ${PLAYERS} players, ${GAMES.toLocaleString("en-US")} games: ${fitSeconds.toFixed(2)} s (${fit.iterations} Newton steps; ${inside}/${PLAYERS - 1} true ratings inside their 95% interval)   target < 2 s: ${fitSeconds < 2 ? "met" : "NOT met"}`);

// A sparse human-like graph (db/synthetic.ts), no draws.
const HUMANS = 3000;
const { results: humanResults } = humanLikeResults(HUMANS, 2500, 0, rng);
const humanActive = new Set(humanResults.flatMap((r) => [r.black, r.white])).size;
start = performance.now();
const humanFit = fitRatings(HUMANS, humanResults, { anchor: humanResults[0]!.black, firstMoveAdvantage: true });
const humanSeconds = (performance.now() - start) / 1000;
console.log(
  `  fit ${humanActive.toLocaleString("en-US")} players, ${humanResults.length.toLocaleString("en-US")} games (sparse, human-like; exact 95% intervals): ${humanSeconds.toFixed(2)} s (${humanFit.iterations} Newton steps)   target < 1 s: ${humanSeconds < 1 ? "met" : "NOT met"}`,
);

start = performance.now();
computeLadder(db, { game: "go:9", anchor: { name: "player-0", elo: 0 }, save: true });
const ladderSeconds = (performance.now() - start) / 1000;
start = performance.now();
const ladder = db.prepare("SELECT * FROM ladder").all();
const viewMs = performance.now() - start;
console.log(`  ladder from the database (load, fit, store snapshot): ${ladderSeconds.toFixed(2)} s; reading the ladder view (${ladder.length} rows): ${viewMs.toFixed(1)} ms`);
db.close();
