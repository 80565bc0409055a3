/** The database from the command line and from several processes at once. */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { itNeeds, needs } from "./helpers/needs.js";
import { ROOT, sharedFile } from "./helpers/paths.js";

const dir = mkdtempSync(join(tmpdir(), "fossil-dbcli-"));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const count = (db: string, sql = "SELECT count(*) FROM games"): number => {
  const d = new Database(db, { readonly: true });
  const n = d.prepare(sql).pluck().get() as number;
  d.close();
  return n;
};

describe("fossil games import / export", () => {
  const db = join(dir, "games.db");

  itNeeds(needs.sharedData)("imports SGF collections and folders, reports rejected games by file and game, and stores nothing twice", () => {
    const bad = file("bad.sgf", "(;SZ[5]RE[B+R];B[cc];W[cc])(;SZ[5];B[cc])(;SZ[5]RE[W+2];B[aa];W[bb])");
    const r = runCli(["games", "import", "--db", db, sharedFile("go9-ogs-human/part-00.sgf"), bad]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("stored 1001 games, 0 already stored, 2 rejected\n");
    expect(r.stderr).toBe(`${bad}: game 1, move 2 (W C3): illegal: occupied\n${bad}: game 2: no result (RE)\n`);
    const again = runCli(["games", "import", "--db", db, sharedFile("go9-ogs-human/part-00.sgf")]);
    expect(again.status).toBe(0);
    expect(again.stdout).toBe("stored 0 games, 1000 already stored, 0 rejected\n");
    expect(count(db)).toBe(1001);
    // Players by name, with ranks; results and lengths as recorded.
    expect(count(db, "SELECT count(*) FROM players WHERE name = 'Mitsunari' AND rank = '7k'")).toBe(1);
    expect(count(db, "SELECT length FROM games WHERE id = 1")).toBe(33);
    expect(count(db, "SELECT winner FROM games WHERE id = 1")).toBe(1);
  });

  it("imports CSV results, naming bad lines, and needs --game for them", () => {
    const csv = file("results.csv", 'black,white,result\nalpha,beta,B+R\nbeta,alpha,W+3.5\n"gamma, the third",alpha,Draw\nalpha,beta,X+1\n,beta,B+R\nalpha,alpha,0\n');
    const noGame = runCli(["games", "import", "--db", db, csv]);
    expect(noGame.status).toBe(2);
    expect(noGame.stderr).toBe(`${csv}: CSV results need --game (e.g. --game go:9) to say which game they are\n`);
    const r = runCli(["games", "import", "--db", db, "--game", "go:9", csv]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("stored 3 games, 0 already stored, 3 rejected\n");
    expect(r.stderr).toBe(
      `${csv}:5: result "X+1" is not in SGF form (B+R, W+3.5, 0, Draw)\n${csv}:6: black and white must be named\n${csv}:7: a player cannot play itself (alpha)\n`,
    );
    expect(runCli(["games", "import", "--db", db, "--game", "go:9", csv]).stdout).toBe("stored 0 games, 3 already stored, 3 rejected\n");
    const header = file("header.csv", "white,black,result\na,b,B+R\n");
    expect(runCli(["games", "import", "--db", db, "--game", "go:9", header]).stderr).toBe(`${header}:1: the header must be black,white,result (got "white,black,result")\n`);
    expect(count(db, "SELECT count(*) FROM games WHERE result = '0' AND winner IS NULL")).toBe(1);
  });

  itNeeds(needs.sharedData)("exports SGF files that read back as the same games", () => {
    const out = join(dir, "export");
    const r = runCli(["games", "export", "--db", db, "--out", out, "--player", "Mitsunari"]);
    expect(r.status).toBe(0);
    const files = readdirSync(out);
    expect(files.length).toBe(3);
    expect(r.stdout).toBe(`wrote 3 SGF files to ${out}\n`);
    const score = runCli(["go", "score", ...files.map((f) => join(out, f))]);
    expect(score.status).toBe(0);
    // Re-importing the export finds every game already stored: nothing was lost on the way.
    expect(runCli(["games", "import", "--db", db, out]).stdout).toBe("stored 0 games, 3 already stored, 0 rejected\n");
    const all = runCli(["games", "export", "--db", db, "--out", join(dir, "all"), "--source", "import"]);
    expect(all.stdout).toMatch(/^wrote 1001 SGF files to .*\(skipped: 3 results without moves\)\n$/);
    expect(runCli(["games", "export", "--db", db, "--out", out, "--player", "nobody"]).stderr).toBe(`fossil: ${db}: no player named "nobody" in the database\n`);
  });
});

describe("fossil query and ratings", () => {
  const db = join(dir, "games.db");

  itNeeds(needs.sharedData)("answers read-only SQL as a table", () => {
    const table = runCli(["query", "--db", db, "SELECT game, count(*) AS n FROM games GROUP BY game ORDER BY game"]);
    expect(table.stdout).toBe("game     n\n----  ----\ngo:5     1\ngo:9  1003\n(2 rows)\n");
    expect(count(db)).toBe(1004);
  });

  it("answers read-only SQL as CSV or JSON, and refuses writes", () => {
    const games = count(db);
    expect(games).toBeGreaterThan(0); // so that a DELETE that went through would show
    expect(runCli(["query", "--db", db, "--csv", "SELECT 1 AS a, 'x,y' AS b"]).stdout).toBe('a,b\n1,"x,y"\n');
    expect(JSON.parse(runCli(["query", "--db", db, "--json", "SELECT 2 AS two"]).stdout)).toEqual([{ two: 2 }]);
    for (const sql of ["DELETE FROM games", "DROP TABLE games", "UPDATE players SET name = 'x'", "PRAGMA user_version = 9"]) {
      const r = runCli(["query", "--db", db, sql]);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe("fossil: only statements that read are allowed (SELECT, WITH ... SELECT, read-only PRAGMA)\n");
    }
    expect(count(db)).toBe(games); // 1004 with the shared data (the test above)
    expect(runCli(["query", "--db", join(dir, "none.db"), "SELECT 1"]).stderr).toBe(`fossil: ${join(dir, "none.db")}: no such database\n`);
  });

  itNeeds(needs.sharedData)("prints the ladder and stores a snapshot for the views", () => {
    const r = runCli(["ratings", "--db", db, "--game", "go:9", "--anchor", "alpha=1000", "--save"]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe(`${"player".padEnd(26)}     Elo    ±95%   games  score`);
    expect(lines.find((l) => l.startsWith("alpha "))).toMatch(/^alpha\s+1000\s+anchor\s+3\s+83\.3%$/); // won 2, drew 1
    expect(lines[lines.length - 1]).toBe("1003 games; anchor alpha = 1000; ±95% is relative to the anchor");
    expect(count(db, "SELECT count(*) FROM ladder")).toBe(lines.length - 2);
    expect(runCli(["ratings", "--db", db, "--anchor", "nobody=0"]).stderr).toBe('fossil: anchor player "nobody" has no rated games\n');
  });
});

describe("concurrent and interrupted writers", () => {
  /** A writer process: `batches` transactions of `size` games each into `db`. */
  const writer = (db: string, tag: string, batches: number, size: number): string[] => [
    "--input-type=module",
    "-e",
    `import { openDatabase } from "${ROOT}dist/db/schema.js";
     import { ensurePlayer, insertGames } from "${ROOT}dist/db/store.js";
     const db = openDatabase(${JSON.stringify(db)});
     const a = ensurePlayer(db, { name: "a", kind: "other" }), b = ensurePlayer(db, { name: "b", kind: "other" });
     for (let k = 0; k < ${batches}; k++) {
       const rows = Array.from({ length: ${size} }, (_, i) => ({ game: "go:9", blackId: a, whiteId: b, result: "B+R", winner: 0, source: "match", fingerprint: "${tag}-" + k + "-" + i }));
       insertGames(db, rows);
     }
     db.close();`,
  ];

  it("loses nothing when three processes write at once", async () => {
    const db = join(dir, "concurrent.db");
    const runs = ["p1", "p2", "p3"].map(
      (tag) =>
        new Promise<number>((resolve) => {
          const child = spawn(process.execPath, writer(db, tag, 40, 25), { stdio: "inherit" });
          child.on("exit", (code) => resolve(code ?? -1));
        }),
    );
    expect(await Promise.all(runs)).toEqual([0, 0, 0]);
    expect(count(db)).toBe(3 * 40 * 25);
    expect(count(db, "SELECT count(*) FROM players")).toBe(2);
  });

  it("keeps only whole batches when a writer is killed mid-way", async () => {
    const db = join(dir, "killed.db");
    spawnSync(process.execPath, writer(db, "warm", 1, 50)); // schema in place
    const child = spawn(process.execPath, writer(db, "k", 100000, 50), { stdio: "ignore" });
    await new Promise((r) => setTimeout(r, 700));
    child.kill("SIGKILL");
    await new Promise((r) => child.on("exit", r));
    const d = new Database(db);
    expect(d.pragma("integrity_check", { simple: true })).toBe("ok");
    const n = d.prepare("SELECT count(*) FROM games").pluck().get() as number;
    d.close();
    expect(n).toBeGreaterThan(50);
    expect(n % 50).toBe(0);
  });
});

describe("round trip of unusual records", () => {
  it("keeps setup stones, White moving first and a side playing twice through import and export", () => {
    const db = join(dir, "odd.db");
    const sgf = file("odd.sgf", "(;GM[1]SZ[9]KM[0.5]HA[2]AB[cc][gg]PB[b]PW[w]RE[W+R];W[ee];B[ec];B[dd];W[tt];B[tt])(;GM[1]SZ[7]PL[W]PB[x]PW[y]RE[B+2];W[dd];B[cc])");
    expect(runCli(["games", "import", "--db", db, sgf]).stdout).toBe("stored 2 games, 0 already stored, 0 rejected\n");
    const out = join(dir, "odd-out");
    expect(runCli(["games", "export", "--db", db, "--out", out]).status).toBe(0);
    // The exported files are the same games: importing them finds both already stored.
    expect(runCli(["games", "import", "--db", db, out]).stdout).toBe("stored 0 games, 2 already stored, 0 rejected\n");
  });
});

describe("imports of collections with a broken game", () => {
  it("store every readable game and name the broken one", () => {
    const db = join(dir, "broken.db");
    const sgf = file("broken-collection.sgf", "(;GM[1]SZ[5]RE[B+R];B[cc])\n(;GM[1]SZ[5]RE[B+R];B[aa] % ;W[bb])\n(;GM[1]SZ[5]RE[W+R];B[dd])\n");
    const r = runCli(["games", "import", "--db", db, sgf]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("stored 2 games, 0 already stored, 1 rejected\n");
    expect(r.stderr).toBe(`${sgf}:2:27: game 2: unexpected character '%': expected ';', '(' or ')'\n`);
  });
});
