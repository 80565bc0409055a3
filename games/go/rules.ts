/**
 * Go rules as a value, stored with every game and folded into the state hash.
 *
 * Everything in fossil scores by area, Tromp–Taylor style (stones plus empty regions that reach
 * only one colour; no dead-stone removal, so games are played out), forbids suicide (including
 * multi-stone suicide, unlike the original Tromp–Taylor text) and ends after two consecutive
 * passes. The presets differ in ko rule and default komi:
 *
 * | name           | ko                                   | default komi |
 * |----------------|--------------------------------------|--------------|
 * | `tromp-taylor` | positional superko                   | fair (below) |
 * | `chinese`      | positional superko                   | 7.5          |
 * | `japanese`     | simple ko only (immediate recapture) | 6.5          |
 *
 * Tromp–Taylor's default komi is the published fair komi of the board size (a draw with perfect
 * play, `../shared/data/go-solved/published_results.tsv`): 5x5 25 (Black takes the whole board),
 * 6x6 4 (believed), 7x7 9 (Davies; KataGo's book), 8x8 10 (KataGo's book), 7 on 9x9 and
 * above. Under a komi below the fair one Black wins every game with good play, so self-play
 * that learns would see White resign early and learn little else.
 *
 * `japanese` exists to replay human records played under Japanese rules, where long cycles are
 * not forbidden move by move; such games are still scored here by area count.
 */
import { InputError } from "../../core/errors.js";
import { formatNumber } from "../../core/player.js";

export type KoRule = "positional-superko" | "simple";
export type RulesName = "tromp-taylor" | "chinese" | "japanese";

export interface GoRules {
  readonly name: RulesName;
  readonly ko: KoRule;
  /** Points added to White's area count. */
  readonly komi: number;
}

const PRESETS: Record<RulesName, { ko: KoRule; komi: number }> = {
  "tromp-taylor": { ko: "positional-superko", komi: 7 },
  chinese: { ko: "positional-superko", komi: 7.5 },
  japanese: { ko: "simple", komi: 6.5 },
};

export const RULES_NAMES = Object.keys(PRESETS) as RulesName[];

/** Tromp–Taylor's default komi by board size: the fair komi where it is known (see above). */
const FAIR_KOMI: Record<number, number> = { 5: 25, 6: 4, 7: 9, 8: 10 };

/** The default komi of a preset on a board size (`size` unknown: the preset's own). */
export function defaultKomi(name: RulesName, size?: number): number {
  return name === "tromp-taylor" && size !== undefined ? (FAIR_KOMI[size] ?? PRESETS[name].komi) : PRESETS[name].komi;
}

export function makeRules(name: RulesName = "tromp-taylor", komi?: number, size?: number): GoRules {
  const preset = PRESETS[name];
  if (!preset) throw new InputError(`unknown Go rules "${name}" (known: ${RULES_NAMES.join(", ")})`);
  const k = komi ?? defaultKomi(name, size);
  if (!Number.isFinite(k) || Math.abs(k) > 1000) throw new InputError(`komi must be a number between -1000 and 1000, got ${komi}`);
  return { name, ko: preset.ko, komi: k };
}

/** Stored form: `tromp-taylor komi=7`. */
export function rulesText(rules: GoRules): string {
  return `${rules.name} komi=${formatNumber(rules.komi)}`;
}

/**
 * Maps an SGF `RU` value to a preset: Japanese and Korean rules to `japanese`, Chinese, AGA,
 * New Zealand, Ing and Tromp–Taylor-like texts to area rules with positional superko.
 */
export function rulesNameFromSgf(ru: string | undefined): RulesName {
  const t = (ru ?? "").trim().toLowerCase();
  if (t.startsWith("jap") || t.startsWith("kor") || t === "jp") return "japanese";
  if (t.startsWith("chi") || t === "cn") return "chinese";
  return "tromp-taylor";
}

/** The game spec of a board size and rules: "go:9:chinese:7.5" (games/index.ts parses it). */
export function goSpec(size: number, rules: GoRules): string {
  return `go:${size}:${rules.name}:${formatNumber(rules.komi)}`;
}
