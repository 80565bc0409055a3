/**
 * A match that stores what it plays: two players from their specs, every game stored as it ends
 * (one transaction each) under one match row, then the match's result and the rating ladder of
 * the game's players. A match is resumable: rerunning the same match (same players — networks by
 * content —, game, seed and settings) plays only its games not stored yet (game i draws from its
 * own Rng stream and is stored with the fingerprint `match:<match id>:<i>`), so a stopped match
 * goes on and nothing is stored twice. The `fossil match` command and the study runner call
 * `runMatch`.
 */
import { InputError } from "../../core/errors.js";
import { Rng } from "../../core/rng.js";
import type { Game } from "../../games/game.js";
import { computeLadder, type Ladder } from "../../db/ladder.js";
import { blackScoreOf, fitRatings } from "../../db/ratings.js";
import type { Db } from "../../db/schema.js";
import { createMatch, ensurePlayer, gameColumns, insertGames, outcomeColumns } from "../../db/store.js";
import { playMatch, type MatchGame } from "../../selfplay/match.js";
import { createPlayer, type MatchPlayer } from "../../selfplay/players.js";
import { parsePlayerSpec, specText } from "../../selfplay/spec.js";

export interface RunMatchOptions {
  game: Game;
  /** Player specs: the first player (Black in the first game) and the second. */
  black: string;
  white: string;
  /** Games of the match (a rerun plays those not stored yet). */
  games: number;
  /** Alternate colours between games. */
  swap: boolean;
  /** Random opening moves per game (default: the game's `openingMoves`). */
  openings?: number;
  seed: number;
  /** Games played at once (network players batch across them; GTP engines play one at a time). */
  concurrent: number;
  /** Seconds a GTP engine may take to answer one command. */
  engineTimeout?: number;
  runId?: number | null;
  /** Starts no new game once aborted (the games in progress finish and are stored). */
  signal?: AbortSignal;
  /** Fit and save the ladder of all the game's players afterwards (default true; a study rates its own games). */
  ladder?: boolean;
}

/** The match from the first player's side, over all its stored games. */
export interface MatchScore {
  first: string;
  second: string;
  wins: number;
  losses: number;
  draws: number;
  /** Games without a result (an engine failed), not rated. */
  voided: number;
  /** The first player's Elo minus the second's, from these games alone, and its 95% half-width. */
  eloDifference: number;
  eloCi95: number;
}

export interface MatchSummary {
  matchId: number | null;
  /** Games played by this call, and stored before it. */
  played: number;
  already: number;
  score: MatchScore;
  /** The ladder of the game's players (all stored games of the family); null when none is rated. */
  ladder: Ladder | null;
}

/** Indices of the games of match `matchId` already stored. */
function storedIndices(db: Db, matchId: number): Set<number> {
  const prefix = `match:${matchId}:`;
  const rows = db.prepare("SELECT fingerprint FROM games WHERE match_id = ? AND substr(fingerprint, 1, ?) = ?").pluck().all(matchId, prefix.length, prefix) as string[];
  return new Set(rows.map((f) => Number(f.slice(prefix.length))));
}

/** Wins, losses and draws of `first` against `second` in a match's stored games, and the Elo difference they say. */
function matchScore(db: Db, matchId: number | null, first: string, second: string): MatchScore {
  const rows = matchId === null ? [] : (db.prepare("SELECT b.name AS black, g.result FROM games g JOIN players b ON b.id = g.black_id WHERE g.match_id = ?").all(matchId) as { black: string; result: string }[]);
  const score: MatchScore = { first, second, wins: 0, losses: 0, draws: 0, voided: 0, eloDifference: NaN, eloCi95: NaN };
  const results = [];
  for (const row of rows) {
    const blackScore = blackScoreOf(row.result);
    if (blackScore === null) {
      score.voided++;
      continue;
    }
    const points = row.black === first ? blackScore : 1 - blackScore;
    if (points === 1) score.wins++;
    else if (points === 0) score.losses++;
    else score.draws++;
    results.push(row.black === first ? { black: 0, white: 1, blackScore } : { black: 1, white: 0, blackScore });
  }
  if (results.length > 0 && first !== second) {
    const fit = fitRatings(2, results, { anchor: 1 });
    score.eloDifference = fit.elo[0]!;
    score.eloCi95 = fit.ci95[0]!;
  }
  return score;
}

/** Plays and stores a match; `onGame` hears of each game as it is stored, with how many of the games to play are done. */
export async function runMatch(db: Db, options: RunMatchOptions, onGame?: (g: MatchGame, progress: { done: number; toPlay: number }) => void): Promise<MatchSummary> {
  const { game } = options;
  if (!Number.isSafeInteger(options.games) || options.games < 1) throw new InputError(`the number of games must be a positive integer, got ${options.games}`);
  const openings = options.openings ?? game.openingMoves;
  const cells = game.height * game.width;
  if (!Number.isInteger(openings) || openings < 0 || openings > cells / 2) throw new InputError(`random opening moves must be 0 to ${cells / 2} (half the board) in ${game.id}, got ${openings}`);
  if (!Number.isInteger(options.concurrent) || options.concurrent < 1) throw new InputError(`games at once must be a positive integer, got ${options.concurrent}`);
  const black = parsePlayerSpec(options.black), white = parsePlayerSpec(options.white);
  const players: MatchPlayer[] = [];
  try {
    const playerOptions = { engineTimeout: options.engineTimeout };
    players.push(await createPlayer(black, game, playerOptions));
    players.push(specText(white) === specText(black) ? players[0]! : await createPlayer(white, game, playerOptions));
    const [first, second] = [players[0]!.spec, players[1]!.spec];
    const config = JSON.stringify({ black: first, white: second, swap: options.swap, openings, seed: options.seed });
    const found = db.prepare("SELECT id FROM matches WHERE game = ? AND config = ? ORDER BY id DESC LIMIT 1").pluck().get(game.spec, config) as number | undefined;
    let matchId = found ?? null;
    const stored = matchId === null ? new Set<number>() : storedIndices(db, matchId);
    const indices: number[] = [];
    for (let i = 0; i < options.games; i++) if (!stored.has(i)) indices.push(i);
    const already = options.games - indices.length;
    // The match row and the players come with the first stored game.
    const ids = new Map<string, number>();
    const store = db.transaction((g: MatchGame) => {
      matchId ??= createMatch(db, game.spec, JSON.parse(config), options.runId ?? null);
      for (const p of players) if (!ids.has(p.spec)) ids.set(p.spec, ensurePlayer(db, { name: p.spec, kind: p.kind, game: game.id, modelPath: p.modelPath }));
      insertGames(db, [
        {
          ...gameColumns(game, g.actions),
          blackId: ids.get(g.black)!,
          whiteId: ids.get(g.white)!,
          ...outcomeColumns(g.outcome),
          endReason: g.endReason,
          source: "match",
          matchId,
          runId: options.runId ?? null,
          playedAt: new Date().toISOString(),
          fingerprint: `match:${matchId}:${g.index}`,
          randomMoves: g.random,
        },
      ]);
    });
    const root = Rng.fromSeed(options.seed);
    let played = 0;
    const settings = { games: options.games, indices, swap: options.swap, openingMoves: openings, rngFor: (i: number) => root.split("match", i), concurrency: options.concurrent, signal: options.signal };
    await playMatch(game, players[0]!, players[1]!, settings, (g) => {
      store(g);
      onGame?.(g, { done: ++played, toPlay: indices.length });
    });
    let ladder: Ladder | null = null;
    try {
      if (options.ladder !== false) ladder = computeLadder(db, { game: game.id, save: played > 0 });
    } catch (e) {
      if (!(e instanceof InputError)) throw e; // no rated game yet (a player against itself, or only voided games)
    }
    return { matchId, played, already, score: matchScore(db, matchId, first, second), ladder };
  } finally {
    for (const p of new Set(players)) await p.close();
  }
}
