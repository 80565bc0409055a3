/**
 * A match that stores what it plays: two players from their specs, every game stored as it ends
 * (one transaction each) under one match row, then the rating ladder of the game's players. The
 * `fossil match` command and the study runner call `runMatch`.
 */
import { InputError } from "../../core/errors.js";
import { Rng } from "../../core/rng.js";
import type { Game } from "../../games/game.js";
import { computeLadder, type Ladder } from "../../db/ladder.js";
import type { Db } from "../../db/schema.js";
import { createMatch, ensurePlayer, gameColumns, insertGames, outcomeColumns } from "../../db/store.js";
import { playMatch, type MatchGame } from "../../selfplay/match.js";
import { createPlayer, type MatchPlayer } from "../../selfplay/players.js";
import { parsePlayerSpec, specText } from "../../selfplay/spec.js";

export interface RunMatchOptions {
  game: Game;
  /** Player specs: the first player (Black) and the second. */
  black: string;
  white: string;
  games: number;
  /** Alternate colours between games. */
  swap: boolean;
  /** Random opening moves per game (default: the game's `openingMoves`). */
  openings?: number;
  seed: number;
  /** Games played at once (network players batch across them; GTP engines play one at a time). */
  concurrent: number;
  runId?: number | null;
}

export interface MatchSummary {
  matchId: number;
  games: number;
  /** Games without a result (an engine failed), not rated. */
  voided: number;
  ladder: Ladder;
}

export async function runMatch(db: Db, options: RunMatchOptions, onGame?: (g: MatchGame, done: number) => void): Promise<MatchSummary> {
  const { game } = options;
  if (!Number.isInteger(options.games) || options.games < 1) throw new InputError(`the number of games must be a positive integer, got ${options.games}`);
  const openings = options.openings ?? game.openingMoves;
  const black = parsePlayerSpec(options.black), white = parsePlayerSpec(options.white);
  const players: MatchPlayer[] = [];
  try {
    players.push(await createPlayer(black, game));
    players.push(specText(white) === specText(black) ? players[0]! : await createPlayer(white, game));
    const ids = new Map(players.map((p) => [p.spec, ensurePlayer(db, { name: p.spec, kind: p.kind, game: game.id })]));
    const matchId = createMatch(db, game.spec, { black: players[0]!.spec, white: players[1]!.spec, games: options.games, swap: options.swap, openings, seed: options.seed }, options.runId ?? null);
    const root = Rng.fromSeed(options.seed);
    let done = 0, voided = 0;
    const settings = { games: options.games, swap: options.swap, openingMoves: openings, rngFor: (i: number) => root.split("match", i), concurrency: options.concurrent };
    await playMatch(game, players[0]!, players[1]!, settings, (g) => {
      if (g.outcome === null) voided++;
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
        },
      ]);
      onGame?.(g, ++done);
    });
    const ladder = computeLadder(db, { game: game.id, save: true });
    return { matchId, games: done, voided, ladder };
  } finally {
    for (const p of new Set(players)) await p.close();
  }
}
