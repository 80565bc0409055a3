/**
 * `fossil query --db FILE "SELECT ..." [--csv | --json]`: read-only SQL over the database, with
 * the named views (ladder, head_to_head, elo_by_generation, game_stats). Statements that write
 * are refused before they run, and the database is opened read-only besides.
 *
 * Integers are read exactly (64-bit): tables and CSV print every digit; JSON prints an integer as
 * a number when it is safe in a double (|n| <= 2^53 - 1) and as a string of its digits beyond, so
 * that no JSON reader rounds it. Columns of one name keep their values: in JSON objects the second
 * `a` is `a:2`, the third `a:3`.
 */
import type { ArgumentsCamelCase, Argv } from "yargs";
import { InputError } from "../../core/errors.js";
import { openDatabase } from "../../db/schema.js";

interface QueryArgs {
  db: string;
  sql: string;
  csv?: boolean;
  json?: boolean;
}

/** A SQLite runtime error (malformed JSON, integer overflow, a function not allowed) as one line. */
function sqlFailure(e: unknown): never {
  const code = (e as { code?: unknown }).code;
  if (typeof code === "string" && code.startsWith("SQLITE_")) throw new InputError(`SQL error: ${(e as Error).message}`);
  throw e;
}

/** Distinct keys for JSON objects: a repeated column name gets `:2`, `:3`, ... (never an existing name). */
export function jsonKeys(columns: readonly string[]): string[] {
  const taken = new Set(columns);
  const seen = new Set<string>();
  return columns.map((c) => {
    if (!seen.has(c)) {
      seen.add(c);
      return c;
    }
    let k = 2;
    while (taken.has(`${c}:${k}`)) k++;
    const key = `${c}:${k}`;
    taken.add(key);
    seen.add(key);
    return key;
  });
}

/** A BLOB as SQLite's hex literal, X'0A2C'. */
const blobText = (v: Uint8Array): string => `X'${Buffer.from(v).toString("hex").toUpperCase()}'`;

/** A value for JSON: exact integers (strings beyond 2^53 - 1), non-finite reals as text, BLOBs as hex literals. */
function jsonValue(v: unknown): unknown {
  if (v instanceof Uint8Array) return blobText(v);
  if (typeof v === "bigint") return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  return v;
}

function csvField(v: unknown): string {
  // A BLOB as SQLite's hex literal, not as raw bytes.
  const t = v === null || v === undefined ? "" : v instanceof Uint8Array ? blobText(v) : String(v);
  return /[",\n\r]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number" && !Number.isInteger(v)) return String(Number(v.toFixed(4)));
  // A REAL beyond 2^53 (integers come as bigint) is shown as what it is, not as exact digits.
  if (typeof v === "number" && Math.abs(v) > Number.MAX_SAFE_INTEGER) return v.toExponential();
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  return String(v);
}

/** Rows as an aligned text table (numbers right-aligned). */
export function formatTable(columns: string[], rows: unknown[][]): string {
  const text = rows.map((r) => r.map(cell));
  const widths = columns.map((c, i) => Math.max(c.length, ...text.map((r) => r[i]!.length)));
  const numeric = columns.map((_, i) => rows.length > 0 && rows.every((r) => r[i] === null || typeof r[i] === "number" || typeof r[i] === "bigint"));
  const line = (values: string[]): string => values.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(columns), line(widths.map((w) => "-".repeat(w))), ...text.map(line)].join("\n");
}

export const queryCommand = {
  builder: (y: Argv) =>
    y
      .positional("sql", { type: "string", describe: "one read-only SQL statement" })
      .option("db", { type: "string", demandOption: true, describe: "fossil database file" })
      .option("csv", { type: "boolean", describe: "print CSV" })
      .option("json", { type: "boolean", describe: "print a JSON array of objects" })
      .conflicts("csv", "json"),
  handler: (args: ArgumentsCamelCase<QueryArgs>) => {
    const sql = args.sql as unknown;
    if (Array.isArray(args.db)) throw new InputError("--db given more than once");
    if (typeof sql !== "string") throw new InputError("give one SQL statement (quote it)");
    const db = openDatabase(args.db, { readonly: true });
    try {
      let stmt;
      try {
        stmt = db.prepare(sql);
      } catch (e) {
        throw new InputError(`SQL error: ${(e as Error).message}`);
      }
      if (!stmt.reader || !stmt.readonly) throw new InputError("only statements that read are allowed (SELECT, WITH ... SELECT, read-only PRAGMA)");
      const columns = stmt.columns().map((c) => c.name);
      let rows: unknown[][];
      try {
        rows = stmt.raw(true).safeIntegers(true).all() as unknown[][];
      } catch (e) {
        sqlFailure(e);
      }
      if (args.json) {
        const keys = jsonKeys(columns);
        process.stdout.write(`${JSON.stringify(rows.map((r) => Object.fromEntries(keys.map((k, i) => [k, jsonValue(r[i])]))), null, 1)}\n`);
      } else if (args.csv) {
        process.stdout.write([columns.map(csvField).join(","), ...rows.map((r) => r.map(csvField).join(","))].join("\n") + "\n");
      } else {
        process.stdout.write(`${formatTable(columns, rows)}\n(${rows.length} row${rows.length === 1 ? "" : "s"})\n`);
      }
    } finally {
      db.close();
    }
  },
};
