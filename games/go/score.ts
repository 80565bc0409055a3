/** The Tromp–Taylor area result of every game in SGF files (`fossil go score`). */
import { FossilError } from "../../core/errors.js";
import { resultText, outcomeFromScore } from "../../core/player.js";
import { parseSgfRecovering, readSgfFile } from "../sgf.js";
import { recordFromTree, replay } from "./record.js";

export interface ScoreRow {
  file: string;
  game: number;
  result?: string;
  blackArea?: number;
  whiteArea?: number;
  komi?: number;
  moves?: number;
  error?: string;
}

/** Scores every game of every file; problems are collected per game, never thrown. */
export function scoreFiles(files: readonly string[]): ScoreRow[] {
  const rows: ScoreRow[] = [];
  for (const file of files) {
    let collection;
    try {
      collection = parseSgfRecovering(readSgfFile(file), file);
    } catch (error) {
      if (!(error instanceof FossilError)) throw error;
      rows.push({ file, game: 0, error: error.message });
      continue;
    }
    if (collection.games.length === 0 && collection.errors.length === 0) {
      rows.push({ file, game: 0, error: `${file}: no SGF game tree found (an SGF file starts with '(;')` });
    }
    // Broken game trees are reported in their place; the other games are scored.
    const entries: { number: number; run: () => ScoreRow }[] = [
      ...collection.errors.map((e) => ({ number: e.where.game ?? 0, run: (): ScoreRow => ({ file, game: e.where.game ?? 0, error: e.message }) })),
      ...collection.games.map(({ root, number }) => ({
        number,
        run: (): ScoreRow => {
          try {
            const record = recordFromTree(root, collection.source, number);
            const state = replay(record);
            const [blackArea, whiteArea] = state.board.area();
            const result = resultText(outcomeFromScore(blackArea - whiteArea - record.komi, "score"));
            return { file, game: number, result, blackArea, whiteArea, komi: record.komi, moves: record.moves.length };
          } catch (error) {
            if (!(error instanceof FossilError)) throw error;
            return { file, game: number, error: error.message };
          }
        },
      })),
    ];
    for (const entry of entries.sort((a, b) => a.number - b.number)) rows.push(entry.run());
  }
  return rows;
}
