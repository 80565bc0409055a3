/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The web viewer (`fossil serve`): its HTTP answers (pages, API, 404/400, assets without path
 * traversal, refusals at start-up), and in Chromium (driven by playwright-core) every page with no
 * console error, a game stepped through move by move against the rules, a ladder row against
 * `fossil ratings --json`, the network's policy and value, and a curve appearing while another
 * process rates a study. The database is the smoke study's, stopped before its rating.
 * With FOSSIL_SCREENSHOTS=DIR the browser tests save a screenshot of each page there.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as GoBoardModule from "@sabaki/go-board";
import { parseGameSpec } from "../games/index.js";
import { openDatabase, SCHEMA_VERSION } from "../db/schema.js";
import { studySettings } from "../src/study/settings.js";
import { runStudy } from "../src/study/study.js";
import { runCli } from "./helpers/cli.js";
import { CHROMIUM, describeNeeds, needs } from "./helpers/needs.js";
import { CLI } from "./helpers/paths.js";

/** Go rules that are not fossil's, for the board test's reference positions. */
const GoBoard = createRequire(import.meta.url)("@sabaki/go-board") as typeof GoBoardModule.default.default;

const dir = mkdtempSync(join(tmpdir(), "fossil-web-"));
const db = join(dir, "smoke.db");
const models = join(dir, "smoke-models");
const screenshots = process.env.FOSSIL_SCREENSHOTS;

interface Server {
  url: string;
  process: ChildProcess;
  /** What it wrote to stderr so far. */
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts `fossil serve` on a free port; resolves with its address once it listens. */
function serve(args: string[]): Promise<Server> {
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "", err = "";
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /at (http:\/\/\S+)/.exec(out);
      if (m) {
        const stop = (): Promise<void> => new Promise((done) => (child.exitCode !== null ? done() : (child.once("exit", () => done()), child.kill("SIGTERM"))));
        resolve({ url: m[1]!, process: child, stderr: () => err, stop });
      }
    });
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    child.once("exit", (code) => reject(new Error(`fossil serve exited with ${code}: ${err}`)));
  });
}

/** A GET with the path sent as written (no URL normalisation): status, headers and body. */
function rawGet(base: string, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; type: string; body: string; headers: Record<string, unknown> }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: options.method ?? "GET", headers: options.headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, type: String(res.headers["content-type"] ?? ""), body, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

async function getJson<T>(base: string, path: string): Promise<{ status: number; body: T }> {
  const r = await rawGet(base, path);
  return { status: r.status, body: JSON.parse(r.body) as T };
}

let server: Server;

beforeAll(async () => {
  // The smoke study, stopped as its rating begins: loops done, no rating snapshot yet.
  const settings = studySettings("smoke", {}, false).settings;
  const store = openDatabase(db);
  const controller = new AbortController();
  const stopped = await runStudy(store, { name: "smoke", settings, models, signal: controller.signal }, (e) => {
    if (e.phase === "rating") controller.abort();
  });
  store.close();
  expect(stopped).toBeNull();
  // A few Connect Four games, for its grid, and a 5x5 game of random against itself (rates no one).
  const match = runCli(["match", "--db", db, "--game", "connect4", "--black", "random", "--white", "rollout:20", "--games", "2", "--seed", "3"]);
  expect(match.status, match.stderr).toBe(0);
  const alone = runCli(["match", "--db", db, "--game", "go:5", "--black", "random", "--white", "random", "--games", "1"]);
  expect(alone.status, alone.stderr).toBe(0);
  server = await serve(["--db", db]);
}, 300_000);

afterAll(async () => {
  await server?.stop();
});

describe("fossil serve over HTTP", () => {
  it("answers the API as documented, and 404/400 with a message for unknown ids and malformed filters", async () => {
    const info = await getJson<{ games: number; families: string[]; model: unknown }>(server.url, "/api/info");
    expect(info.status).toBe(200);
    expect(info.body.families).toEqual(["connect4", "go:5", "go:6"]);
    expect(info.body.model).toBeNull();
    const page = await getJson<{ games: { id: number; length: number; source: string }[]; next: number | null }>(server.url, "/api/games?source=match&min_length=10&limit=5");
    expect(page.body.games).toHaveLength(5);
    expect(page.body.games.every((g) => g.source === "match" && g.length >= 10)).toBe(true);
    const next = await getJson<{ games: { id: number }[] }>(server.url, `/api/games?source=match&min_length=10&limit=5&before=${page.body.next}`);
    expect(Math.max(...next.body.games.map((g) => g.id))).toBeLessThan(Math.min(...page.body.games.map((g) => g.id)));

    // A player's games page by page (both colours, newest first) are the plain query's.
    const store = openDatabase(db, { readonly: true });
    const player = store.prepare("SELECT id FROM players WHERE name = 'random'").pluck().get() as number;
    const all = store.prepare("SELECT id FROM games WHERE black_id = ? OR white_id = ? ORDER BY id DESC").pluck().all(player, player) as number[];
    store.close();
    const walked: number[] = [];
    for (let before: number | null | undefined; before !== null; ) {
      const r = await getJson<{ games: { id: number; black: string; white: string }[]; next: number | null }>(server.url, `/api/games?player=random&limit=7${before ? `&before=${before}` : ""}`);
      expect(r.body.games.every((g) => g.black === "random" || g.white === "random")).toBe(true);
      walked.push(...r.body.games.map((g) => g.id));
      before = r.body.next;
    }
    expect(walked).toEqual(all);
    // Games that rate no one (a player against itself only) make an empty ladder that says why.
    const selfOnly = await getJson<{ rows: unknown[]; note: string }>(server.url, "/api/ladder?game=go:5");
    expect(selfOnly.status).toBe(200);
    expect(selfOnly.body.rows).toEqual([]);
    expect(selfOnly.body.note).toContain("a player against itself");

    for (const [path, status, message] of [
      ["/api/games/999999", 404, "no game 999999"],
      ["/api/games/abc", 404, 'no game "abc"'],
      ["/api/games?result=maybe", 400, "result must be one of black, white, draw"],
      ["/api/games?min_length=ten", 400, "min_length must be a whole number"],
      ["/api/games?from=2026-13-01", 400, "from must be a date YYYY-MM-DD"],
      ["/api/games?colour=black", 400, 'unknown filter "colour"'],
      ["/api/games?player=nobody", 404, 'no player named "nobody"'],
      ["/api/games?source=match&source=human", 400, 'filter "source" given more than once'],
      ["/api/ladder?kind=robot", 400, "kind must be one of"],
      ["/api/games/1/eval?ply=0", 404, "the viewer has no model"],
      ["/api/nothing", 404, "no such API path"],
    ] as const) {
      const r = await rawGet(server.url, path);
      expect([path, r.status]).toEqual([path, status]);
      expect(r.type).toContain("application/json");
      expect((JSON.parse(r.body) as { error: string }).error).toContain(message);
    }
    for (const [path, status, message] of [
      ["/games/999999", 404, "no game 999999 in this database"],
      ["/games?result=maybe", 400, "result must be one of black, white, draw"],
      ["/ladder?player=nobody", 404, "no player named &#34;nobody&#34;"],
      ["/no/such/page", 404, "no page /no/such/page"],
      ["/ladder?game=go:9", 404, "no games of go:9 in this database"],
    ] as const) {
      const r = await rawGet(server.url, path);
      expect([path, r.status]).toEqual([path, status]);
      expect(r.type).toContain("text/html");
      expect(r.body).toContain(message);
      expect(r.headers["content-security-policy"]).toContain("default-src 'self'");
    }
  });

  it("only reads, and answers only to its own host names", async () => {
    for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
      const r = await rawGet(server.url, "/api/games", { method });
      expect([method, r.status]).toEqual([method, 405]);
      expect(r.headers.allow).toBe("GET, HEAD");
      expect(r.headers["content-security-policy"]).toContain("default-src 'self'");
    }
    // A page elsewhere that points its own name at 127.0.0.1 (DNS rebinding) gets nothing.
    const rebound = await rawGet(server.url, "/api/games", { headers: { Host: "attacker.example:8080" } });
    expect(rebound.status).toBe(421);
    expect(rebound.body).not.toContain('"games"');
    expect((await rawGet(server.url, "/api/info", { headers: { Host: `localhost:${new URL(server.url).port}` } })).status).toBe(200);
  });

  it("serves its bundled assets and nothing else: no path leads out of them", async () => {
    const js = await rawGet(server.url, "/assets/app.js");
    expect(js.status).toBe(200);
    expect(js.type).toContain("text/javascript");
    for (const path of ["/assets/../package.json", "/assets/..%2f..%2fpackage.json", "/assets/%2e%2e/%2e%2e/package.json", "/assets/..%5c..%5cpackage.json", "/../../package.json", "/assets//etc/passwd", "/assets/app.js%00.css"]) {
      const r = await rawGet(server.url, path);
      expect([path, r.status]).toEqual([path, 404]);
      expect(r.body).not.toContain('"name": "fossil"');
      expect(r.body).not.toContain("root:");
    }
  });

  it("sends a game's SGF that replays to the same moves", async () => {
    const game = await getJson<{ id: number; spec: string; positions: { move: string | null }[] }>(server.url, "/api/games/1");
    const r = await rawGet(server.url, "/api/games/1/sgf");
    expect(r.status).toBe(200);
    expect(r.headers["content-disposition"]).toBe('attachment; filename="game-000001.sgf"');
    const go = parseGameSpec(game.body.spec);
    const { state, moves } = go.sgf!.position(r.body, "game-000001.sgf", 1);
    expect(moves).toBe(game.body.positions.length - 1);
    expect([...state.cells()].join("")).toBe((game.body.positions.at(-1) as unknown as { cells: string }).cells);
    // Connect Four has no SGF.
    const c4 = await getJson<{ games: { id: number }[] }>(server.url, "/api/games?game=connect4&limit=1");
    expect((await rawGet(server.url, `/api/games/${c4.body.games[0]!.id}/sgf`)).status).toBe(404);
  });

  it("migrates a database of an older fossil once, saying so, then serves it", async () => {
    const older = join(dir, "older.db");
    copyFileSync(db, older);
    const o = new Database(older);
    o.exec("DROP INDEX games_run; DROP INDEX games_source; DROP INDEX games_family");
    for (const column of ["selfplay_precision", "int8_value_gap", "int8_policy_kl", "int8_top1", "int8_match_id", "int8_match_score", "int8_match_p"]) o.exec(`ALTER TABLE generations DROP COLUMN ${column}`);
    o.pragma("user_version = 5");
    o.close();
    const viewer = await serve(["--db", older]);
    try {
      // (stderr and stdout are separate pipes: the note may arrive after the address)
      await vi.waitFor(() => expect(viewer.stderr()).toBe(`upgraded ${older} from schema version 5 to ${SCHEMA_VERSION} (see db/README.md)\n`));
      expect((await getJson<{ games: unknown[] }>(viewer.url, "/api/games?limit=2")).body.games).toHaveLength(2);
    } finally {
      await viewer.stop();
    }
    const n = new Database(older, { readonly: true });
    expect(n.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    n.close();
  });

  it("refuses at start-up, in one line, what it cannot serve", () => {
    const other = join(dir, "other.db");
    new Database(other).exec("CREATE TABLE notes (text TEXT)");
    const newer = join(dir, "newer.db");
    copyFileSync(db, newer);
    const n = new Database(newer);
    n.pragma("user_version = 99");
    n.close();
    for (const [args, message] of [
      [["--db", other], "not a fossil database"],
      [["--db", newer], "database schema version 99 is newer"],
      [["--db", join(dir, "missing.db")], "no such database"],
      [["--db", db, "--model", join(dir, "missing.onnx")], "missing.onnx"],
      [["--db", db, "--port", "70000"], "--port must be a whole number from 0 to 65535"],
      [["--db", db, "--port", new URL(server.url).port], "is in use: give another --port"],
    ] as const) {
      const r = runCli(["serve", ...args]);
      expect(r.status, r.stdout).not.toBe(0);
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toContain("    at ");
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
  });
});

/** The stones the page shows: Go from Shudan's vertices, Connect Four from its grid, as the API's cell digits. */
async function boardCells(page: Page): Promise<{ ply: number; cells: string; marked: number[] }> {
  return page.evaluate(() => {
    const board = document.querySelector<HTMLElement>('[data-testid="board"]')!;
    const width = Number(board.dataset.width), height = Number(board.dataset.height);
    const cells = new Array<string>(width * height).fill("?");
    const marked: number[] = [];
    const vertices = board.querySelectorAll<HTMLElement>(".shudan-vertex");
    if (vertices.length > 0) {
      for (const v of vertices) {
        const sign = v.classList.contains("shudan-sign_1") ? "1" : v.classList.contains("shudan-sign_-1") ? "2" : "0";
        const cell = Number(v.dataset.y) * width + Number(v.dataset.x);
        cells[cell] = sign;
        if (v.classList.contains("shudan-marker_circle")) marked.push(cell);
      }
    } else {
      // What is drawn: the disc's class, not a data attribute.
      for (const c of board.querySelectorAll<HTMLElement>('[data-testid="cell"]')) {
        const cell = Number(c.dataset.row) * width + Number(c.dataset.col);
        cells[cell] = c.classList.contains("disc-1") ? "1" : c.classList.contains("disc-2") ? "2" : "0";
        if (c.classList.contains("last")) marked.push(cell);
      }
    }
    return { ply: Number(board.dataset.ply), cells: cells.join(""), marked };
  });
}

/**
 * Every position of a stored game, as cell digits, replayed here by rules that are not fossil's:
 * Go by @sabaki/go-board (SGF points, "tt" a pass), Connect Four by dropping each disc to the
 * lowest empty row of its column.
 */
function replayed(id: number): string[] {
  const store = openDatabase(db, { readonly: true });
  const row = store.prepare("SELECT game, board_size AS size, moves, setup FROM games WHERE id = ?").get(id) as { game: string; size: number | null; moves: string; setup: string | null };
  store.close();
  expect(row.setup).toBeNull();
  const out: string[] = [];
  if (row.size !== null) {
    const size = row.size;
    expect(row.moves).toMatch(/^([a-z]{2})*$/);
    let board = GoBoard.fromDimensions(size);
    const picture = (): string => board.signMap.flat().map((sign) => (sign === 1 ? "1" : sign === -1 ? "2" : "0")).join("");
    out.push(picture());
    for (let k = 0; k < row.moves.length / 2; k++) {
      const x = row.moves.charCodeAt(2 * k) - 97, y = row.moves.charCodeAt(2 * k + 1) - 97;
      if (x < size && y < size) board = board.makeMove(k % 2 === 0 ? 1 : -1, [x, y], { preventSuicide: true, preventOverwrite: true });
      out.push(picture());
    }
  } else {
    expect(row.game).toBe("connect4");
    const width = 7, height = 6;
    const cells = new Array<string>(width * height).fill("0");
    out.push(cells.join(""));
    [...row.moves].forEach((digit, k) => {
      const col = Number(digit) - 1;
      let r = height - 1;
      while (cells[r * width + col] !== "0") r--;
      cells[r * width + col] = k % 2 === 0 ? "1" : "2";
      out.push(cells.join(""));
    });
  }
  return out;
}

/** The cell each position's move put a stone on (null at the start and after a pass). */
function lastCells(positions: string[]): (number | null)[] {
  return positions.map((cells, k) => {
    if (k === 0) return null;
    const c = [...cells].findIndex((v, i) => v !== "0" && positions[k - 1]![i] === "0");
    return c < 0 ? null : c;
  });
}

/** Stones taken by each side over a game's positions (a stone gone from one position to the next). */
function taken(positions: string[]): [number, number] {
  const out: [number, number] = [0, 0];
  for (let k = 1; k < positions.length; k++) {
    for (let c = 0; c < positions[k]!.length; c++) {
      const was = positions[k - 1]![c]!;
      if (was !== "0" && positions[k]![c] === "0") out[was === "1" ? 1 : 0]++;
    }
  }
  return out;
}

describeNeeds(needs.chromium)("the viewer in Chromium", () => {
  let browser: Browser;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    if (screenshots) mkdirSync(screenshots, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** A new page that records console errors and uncaught exceptions. */
  async function open(path: string, base = server.url): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") consoleErrors.push(`${path}: ${m.text()}`);
    });
    page.on("pageerror", (e) => consoleErrors.push(`${path}: ${e.message}`));
    const response = await page.goto(new URL(path, base).href);
    expect(response!.status()).toBe(200);
    await page.waitForSelector('#app[data-ready="1"]', { timeout: 30_000 });
    return page;
  }

  async function shoot(page: Page, name: string): Promise<void> {
    if (screenshots) await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
  }

  it("steps through a Go game and a Connect Four game: the board equals the rules' position at every move", async () => {
    const store = openDatabase(db, { readonly: true });
    // The longest Go game in which stones are taken, and a Connect Four game.
    const candidates = store.prepare("SELECT id FROM games WHERE game = 'go:6' AND source = 'match' ORDER BY length DESC LIMIT 50").pluck().all() as number[];
    const go = candidates.find((id) => taken(replayed(id)).some((n) => n > 0))!;
    expect(go).toBeDefined();
    const c4 = store.prepare("SELECT id FROM games WHERE game = 'connect4' LIMIT 1").pluck().get() as number;
    store.close();
    for (const id of [go, c4]) {
      const expected = replayed(id);
      const last = lastCells(expected);
      const [byBlack, byWhite] = taken(expected);
      const page = await open(`/games/${id}`);
      expect(await boardCells(page)).toEqual({ ply: 0, cells: expected[0], marked: [] });
      for (let ply = 1; ply < expected.length; ply++) {
        await page.keyboard.press("ArrowRight");
        await page.waitForSelector(`[data-testid="board"][data-ply="${ply}"]`);
        expect(await boardCells(page)).toEqual({ ply, cells: expected[ply], marked: last[ply] === null ? [] : [last[ply]] });
      }
      await expect(page.textContent('[data-testid="move-number"]')).resolves.toContain(`move ${expected.length - 1} of ${expected.length - 1}`);
      if (id === go) await expect(page.textContent(".side-panel")).resolves.toContain(`Black took ${byBlack}, White took ${byWhite}`);
      await shoot(page, id === go ? "game-go" : "game-connect4");
      // The slider and Home go back; the position follows.
      await page.keyboard.press("Home");
      await page.waitForSelector('[data-testid="board"][data-ply="0"]');
      await page.fill('[data-testid="slider"]', "3");
      await page.waitForSelector('[data-testid="board"][data-ply="3"]');
      expect((await boardCells(page)).cells).toBe(expected[3]);
      await page.close();
    }
    expect(consoleErrors).toEqual([]);
  });

  it("shows the ladder as fossil ratings --json computes it, a head-to-head table, and the games with filters and pages", async () => {
    const ratings = JSON.parse(runCli(["ratings", "--db", db, "--game", "go:6", "--json"]).stdout) as { rows: { player: string; elo: number; ci95: number; games: number }[] };
    const page = await open("/ladder?game=go:6");
    for (const row of [ratings.rows[0]!, ratings.rows.find((r) => r.player === "random")!, ratings.rows.at(-1)!]) {
      const shown = page.locator(`[data-testid="ladder-row"][data-player="${row.player}"]`);
      await expect(shown.locator('[data-col="elo"]').textContent()).resolves.toBe(String(Math.round(row.elo)));
      await expect(shown.locator('[data-col="ci95"]').textContent()).resolves.toContain(String(Math.round(row.ci95)));
      await expect(shown.locator('[data-col="games"]').textContent()).resolves.toBe(String(row.games));
    }
    expect(await page.locator('[data-testid="ladder-row"]').count()).toBe(ratings.rows.length);
    await shoot(page, "ladder");
    await page.close();

    // The head-to-head table of random: the database's own head_to_head view.
    const h2h = await open("/ladder?game=go:6&player=random");
    const shownRows = await h2h.locator('[data-testid="head-to-head-row"]').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll("td")].slice(0, 5).map((td) => td.textContent!.trim())));
    const view = openDatabase(db, { readonly: true });
    const counted = view.prepare("SELECT opponent, games, wins, draws, losses FROM head_to_head WHERE player = 'random' AND game = 'go:6'").raw().all() as (string | number)[][];
    view.close();
    expect(shownRows.length).toBeGreaterThan(0);
    expect(new Set(shownRows.map((r) => r.join("|")))).toEqual(new Set(counted.map((r) => r.map(String).join("|"))));
    await shoot(h2h, "ladder-head-to-head");
    await h2h.close();

    const games = await open("/games?source=match&limit=20");
    const ids = await games.locator('[data-testid="game-row"]').evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.id)));
    expect(ids.length).toBeGreaterThan(0);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    await shoot(games, "games");
    await games.close();

    // A bad id and a malformed filter: the 404 and 400 pages, with the message and the way back.
    for (const [path, status, text] of [["/games/999999", 404, "no game 999999 in this database"], ["/games?max_length=long", 400, "max_length must be a whole number"]] as const) {
      const bad = await browser.newPage();
      const response = await bad.goto(new URL(path, server.url).href);
      expect(response!.status()).toBe(status);
      await expect(bad.textContent('[data-testid="error"]')).resolves.toContain(text);
      expect(await bad.locator('nav a[href="/games"]').count()).toBe(1);
      await shoot(bad, `error-${status}`);
      await bad.close();
    }
    expect(consoleErrors).toEqual([]);
  });

  it("shows the network's policy and value with --model", async () => {
    const model = readdirSync(models).filter((f) => f.endsWith(".onnx")).sort()[0]!;
    const withModel = await serve(["--db", db, "--model", join(models, model)]);
    try {
      const evaluation = await getJson<{ value: number; policy: { move: string; cell: number | null; p: number }[] }>(withModel.url, "/api/games/1/eval?ply=4");
      expect(evaluation.status).toBe(200);
      expect(Math.abs(evaluation.body.value)).toBeLessThanOrEqual(1);
      expect(evaluation.body.policy.reduce((s, m) => s + m.p, 0)).toBeCloseTo(1, 5);
      const game = await getJson<{ positions: { cells: string }[] }>(withModel.url, "/api/games/1");
      // Only legal moves: empty points (and the pass).
      for (const m of evaluation.body.policy) if (m.cell !== null) expect(game.body.positions[4]!.cells[m.cell]).toBe("0");
      const page = await open("/games/1#ply=4", withModel.url);
      await page.waitForSelector('[data-testid="eval"][data-state="done"]', { timeout: 20_000 });
      // Black is to move after 4 moves: the value shown for Black is the network's, and the
      // likeliest move's point has the heat map's strongest colour.
      const value = evaluation.body.value;
      await expect(page.textContent('[data-testid="eval"]')).resolves.toContain(`value for Black: ${value >= 0 ? "+" : "-"}${Math.abs(value).toFixed(2)}`);
      const top = evaluation.body.policy.find((m) => m.cell !== null)!;
      const width = Number(await page.getAttribute('[data-testid="board"]', "data-width"));
      const vertex = page.locator(`.shudan-vertex[data-x="${top.cell! % width}"][data-y="${Math.floor(top.cell! / width)}"]`);
      await expect(vertex.getAttribute("class")).resolves.toContain("shudan-heat_9");
      await shoot(page, "game-with-model");
      await page.close();
    } finally {
      await withModel.stop();
    }
    expect(consoleErrors).toEqual([]);
  });

  it("draws a study's curve while another process rates it", async () => {
    const page = await open("/?refresh=1");
    const curve = page.locator('[data-testid="curve"]').first();
    await expect(curve.getAttribute("data-points")).resolves.toBe("0");
    await shoot(page, "dashboard-before-rating");
    // The study goes on in another process: its rating step stores games and a rating snapshot.
    const study = spawn(process.execPath, [CLI, "study", "--preset", "smoke", "--db", db, "--out", join(dir, "report")], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    study.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => study.once("exit", resolve));
    await page.waitForSelector('[data-testid="curve"]:not([data-points="0"])', { timeout: 240_000 });
    expect(await exited, stderr).toBe(0);
    // After the study's end the page shows every rated checkpoint of its summary.
    const summary = JSON.parse(readFileSync(join(dir, "report", "summary.json"), "utf8")) as { checkpoints: unknown[] };
    await page.waitForSelector(`[data-testid="curve"][data-points="${summary.checkpoints.length}"]`, { timeout: 20_000 });
    await page.waitForTimeout(500);
    await shoot(page, "dashboard");
    // The same curve against CPU hours.
    await page.selectOption('select[aria-label="compute axis"]', "cpuHours");
    await page.waitForSelector('[data-testid="curve"] svg >> text=/CPU hours \\(self-play and training/');
    expect(await page.getAttribute('[data-testid="curve"]', "data-points")).toBe(String(summary.checkpoints.length));
    await page.close();
    expect(consoleErrors).toEqual([]);
  }, 300_000);
});
