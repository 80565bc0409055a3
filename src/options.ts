/**
 * Checked numeric options for the commands: yargs parses `--games abc` as NaN and accepts
 * `--workers 0`; these `coerce` functions refuse such values with one line naming the option and
 * what it takes (the CLI prints yargs' errors as usage errors, exit code 1). Also the defaults
 * that several commands share.
 */
import { dirname, join, parse } from "node:path";

const shown = (value: number): string => (Number.isNaN(value) ? "something that is not a number" : String(value));

/** A whole number from `min` to `max`. */
export function wholeNumber(name: string, min: number, max: number = Number.MAX_SAFE_INTEGER): (value: number) => number {
  return (value) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
      throw new Error(`--${name} must be a whole number ${range}, got ${shown(value)}`);
    }
    return value;
  };
}

/** A number from `min` to `max` (`open`: the ends themselves excluded). */
export function numberIn(name: string, min: number, max: number, open: { min?: boolean; max?: boolean } = {}): (value: number) => number {
  return (value) => {
    const ok = Number.isFinite(value) && (open.min ? value > min : value >= min) && (open.max ? value < max : value <= max);
    if (!ok) throw new Error(`--${name} must be a number ${open.min ? "above" : "from"} ${min} ${open.max ? "and below" : "to"} ${max}, got ${shown(value)}`);
    return value;
  };
}

/** A seed: any whole number (runs with the same seed play the same games). */
export const seedOption = { type: "number" as const, default: 1, describe: "seed", coerce: wholeNumber("seed", -Number.MAX_SAFE_INTEGER) };

/** The default folder of a database's networks: `<db name>-models/` beside the database. */
export function defaultModels(db: string): string {
  return join(dirname(db), `${parse(db).name}-models`);
}
