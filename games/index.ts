/** The games fossil knows, by the identifiers used on the command line and in the database. */
import { InputError } from "../core/errors.js";
import { Connect4Game } from "./connect4/state.js";
import type { Game } from "./game.js";
import { GoGame } from "./go/game.js";
import { makeRules, RULES_NAMES, type RulesName } from "./go/rules.js";

export const GAME_SPEC_HELP = 'go:N[:RULES[:KOMI]] (N = 2..19, e.g. go:7, go:9:chinese:7.5) or connect4 (c4)';

/** Parses a game spec: `go:9`, `go:7:tromp-taylor:9`, `connect4` / `c4`. */
export function parseGameSpec(spec: string): Game {
  const parts = spec.trim().toLowerCase().split(":");
  if (parts[0] === "connect4" || parts[0] === "c4") {
    if (parts.length > 1) throw new InputError(`Connect Four takes no options: "${spec}" (expected ${GAME_SPEC_HELP})`);
    return new Connect4Game();
  }
  if (parts[0] === "go" && parts.length >= 2 && parts.length <= 4 && /^\d+$/.test(parts[1]!)) {
    const rules = (parts[2] ?? "tromp-taylor") as RulesName;
    if (!RULES_NAMES.includes(rules)) throw new InputError(`unknown Go rules "${parts[2]}" in "${spec}" (known: ${RULES_NAMES.join(", ")})`);
    const komi = parts[3] === undefined ? undefined : Number(parts[3]);
    if (komi !== undefined && !Number.isFinite(komi)) throw new InputError(`bad komi "${parts[3]}" in "${spec}"`);
    return new GoGame(Number(parts[1]), { rules: makeRules(rules, komi) });
  }
  throw new InputError(`unknown game "${spec}" (expected ${GAME_SPEC_HELP})`);
}
