/** The games fossil knows, by the specs used on the command line, in the database and in model files. */
import { InputError } from "../core/errors.js";
import { Connect4Game } from "./connect4/game.js";
import type { Game, StoredGame } from "./game.js";
import { GoGame } from "./go/game.js";
import { readGoRecords } from "./go/record.js";
import { makeRules, RULES_NAMES, type RulesName } from "./go/rules.js";
import { storedOfRecord } from "./go/stored.js";

export const GAME_SPEC_HELP = 'go:N[:RULES[:KOMI]] (N = 2..19, RULES tromp-taylor (default; komi: the fair one, 9 on 7x7), chinese or japanese; e.g. go:7, go:9:chinese:7.5) or connect4 (c4)';

/**
 * Parses a game spec: `go:9`, `go:7:tromp-taylor:9`, `connect4` / `c4`. The game's own `spec` is
 * the canonical form ("go:9" → "go:9:tromp-taylor:7"), which parses back to the same game.
 */
export function parseGameSpec(spec: string): Game {
  const parts = spec.trim().toLowerCase().split(":");
  if (parts[0] === "connect4" || parts[0] === "c4") {
    if (parts.length > 1) throw new InputError(`Connect Four takes no options: "${spec}" (expected ${GAME_SPEC_HELP})`);
    return new Connect4Game();
  }
  if (parts[0] === "go" && parts.length >= 2 && parts.length <= 4 && /^\d+$/.test(parts[1]!)) {
    const rules = (parts[2] || "tromp-taylor") as RulesName;
    if (!RULES_NAMES.includes(rules)) throw new InputError(`unknown Go rules "${parts[2]}" in "${spec}" (known: ${RULES_NAMES.join(", ")})`);
    const komi = parts[3] === undefined || parts[3] === "" ? undefined : Number(parts[3]);
    if (komi !== undefined && !Number.isFinite(komi)) throw new InputError(`bad komi "${parts[3]}" in "${spec}"`);
    const size = Number(parts[1]);
    return new GoGame(size, { rules: makeRules(rules, komi, size) });
  }
  throw new InputError(`unknown game "${spec}" (expected ${GAME_SPEC_HELP})`);
}

/**
 * The games of an SGF collection (SGF records hold Go, GM[1]) in their stored form, each with its
 * recorded result; an SgfError names the file, line and game of a malformed one.
 */
export function readSgfGames(text: string, file = "<input>"): { stored: StoredGame; result?: string; where: string }[] {
  const records = readGoRecords(text, file);
  return records.map((record, k) => ({ stored: storedOfRecord(record), result: record.result, where: records.length > 1 ? `${file}: game ${k + 1}` : file }));
}
