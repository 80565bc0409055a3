/**
 * `fossil query --db FILE "SELECT ..." [--csv | --json]`: read-only SQL over the database, with
 * the named views (ladder, head_to_head, elo_by_generation, game_stats). Statements that write
 * are refused before they run, and the database is opened read-only besides.
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

function csvField(v: unknown): string {
  const t = v === null || v === undefined ? "" : String(v);
  return /[",\n\r]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number" && !Number.isInteger(v)) return String(Number(v.toFixed(4)));
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  return String(v);
}

/** Rows as an aligned text table (numbers right-aligned). */
export function formatTable(columns: string[], rows: unknown[][]): string {
  const text = rows.map((r) => r.map(cell));
  const widths = columns.map((c, i) => Math.max(c.length, ...text.map((r) => r[i]!.length)));
  const numeric = columns.map((_, i) => rows.length > 0 && rows.every((r) => r[i] === null || typeof r[i] === "number"));
  const line = (values: string[]): string => values.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(columns), line(widths.map((w) => "-".repeat(w))), ...text.map(line)].join("\n");
}

export const queryCommand = {
  builder: (y: Argv) =>
    y
      .positional("sql", { type: "string", demandOption: true, describe: "one read-only SQL statement" })
      .option("db", { type: "string", demandOption: true, describe: "fossil database file" })
      .option("csv", { type: "boolean", describe: "print CSV" })
      .option("json", { type: "boolean", describe: "print a JSON array of objects" })
      .conflicts("csv", "json"),
  handler: (args: ArgumentsCamelCase<QueryArgs>) => {
    const db = openDatabase(args.db, { readonly: true });
    try {
      let stmt;
      try {
        stmt = db.prepare(args.sql);
      } catch (e) {
        throw new InputError(`bad SQL: ${(e as Error).message}`);
      }
      if (!stmt.reader || !stmt.readonly) throw new InputError("only statements that read are allowed (SELECT, WITH ... SELECT, read-only PRAGMA)");
      const columns = stmt.columns().map((c) => c.name);
      const rows = stmt.raw().all() as unknown[][];
      if (args.json) {
        process.stdout.write(`${JSON.stringify(rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]]))), null, 1)}\n`);
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
