/**
 * `fossil serve`: the viewer's HTTP server (Hono on Node). It answers the pages (an HTML shell
 * whose bundled script draws them from the API), the JSON API (src/web/README.md) and the bundled
 * assets, from one read-only connection to the database.
 */
import { readdirSync, readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { Hono, type Context } from "hono";
import { InputError } from "../../core/errors.js";
import { parseGameSpec } from "../../games/index.js";
import { legalProbabilities, OnnxModel } from "../../models/inference.js";
import { fossilArchitecture, readModelFile } from "../../models/onnx/read.js";
import { OlderSchemaError, openDatabase, SCHEMA_VERSION, type Db } from "../../db/schema.js";
import type { Evaluation } from "./answers.js";
import { dashboardQuery, evalQuery, gameFilter, gameId, ladderFilter, noQuery, ViewerError } from "./filters.js";
import { checkFamily, checkGame, gameDetail, gameList, gamePosition, gameSgf, headToHead, info, LadderCache, runs, studies } from "./queries.js";

/** The host name of a Host header: "127.0.0.1:8080" → "127.0.0.1", "[::1]:8080" → "[::1]". */
function hostName(header: string): string {
  try {
    return new URL(`http://${header}`).hostname;
  } catch {
    return "";
  }
}

/** Host names of this machine's loopback. */
const LOOPBACK = ["127.0.0.1", "localhost", "[::1]"];

export interface ViewerOptions {
  db: string;
  /** An ONNX model whose policy and value the board shows. */
  model?: string;
  /**
   * The host names a request's Host header may give (any when absent). A server on loopback takes
   * only loopback names, so a web page elsewhere cannot read it through a name it points at
   * 127.0.0.1 (DNS rebinding).
   */
  hosts?: string[];
}

/** The bundled client (scripts/build.mjs writes it beside the compiled server). */
const ASSETS = new URL("../../web/assets/", import.meta.url);
const TYPES: Record<string, string> = { ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".map": "application/json" };

/** The assets by name, read once: a request names one of these or gets a 404, so no path from a request reaches the file system. */
function readAssets(): Map<string, { body: Buffer; type: string }> {
  const out = new Map<string, { body: Buffer; type: string }>();
  let names: string[];
  try {
    names = readdirSync(ASSETS);
  } catch {
    throw new InputError(`the viewer's bundled pages are missing (${ASSETS.pathname}): run npm run build`);
  }
  for (const name of names) {
    const type = TYPES[name.slice(name.lastIndexOf("."))];
    if (type) out.set(name, { body: readFileSync(new URL(name, ASSETS)), type });
  }
  return out;
}

const SECURITY_HEADERS = {
  "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const PAGE_TITLES: Record<string, string> = { dashboard: "Runs", ladder: "Ladder", games: "Games", game: "Game" };
const ERROR_TITLES: Record<number, string> = { 400: "Bad request", 404: "Not found", 405: "Method not allowed", 421: "Misdirected request", 500: "Server error" };

/** The HTML of a page: the shell the client draws into, or (with `error`) the 404/400 page itself. */
function html(page: string, data: { id?: number; error?: { status: number; message: string } } = {}): string {
  const title = data.error ? ERROR_TITLES[data.error.status] ?? "Error" : PAGE_TITLES[page]!;
  // The error pages have no script: their navigation bar is the client's (client/common.tsx), in plain HTML.
  const nav = `<nav class="nav"><a class="brand" href="/">fossil</a><a href="/">Runs</a><a href="/ladder">Ladder</a><a href="/games">Games</a></nav>`;
  const body = data.error
    ? `${nav}<main class="content"><h1>${data.error.status} ${title}</h1><p class="error" role="alert" data-testid="error" data-status="${data.error.status}">${escapeHtml(data.error.message)}</p></main>`
    : `<div id="app" data-page="${page}"${data.id === undefined ? "" : ` data-id="${data.id}"`}></div><script type="module" src="/assets/app.js"></script>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>fossil · ${escapeHtml(title)}</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/assets/app.css"></head><body>${body}</body></html>`;
}

/** The network the board asks for its policy and value. */
interface LoadedModel {
  model: OnnxModel;
  path: string;
  game: string;
}

async function loadModel(path: string): Promise<LoadedModel> {
  const { bytes, info: modelInfo } = readModelFile(path);
  const game = parseGameSpec(fossilArchitecture(modelInfo).game);
  const model = await OnnxModel.load({ bytes, file: path }, { expect: game });
  return { model, path, game: game.id };
}

async function evaluate(db: Db, loaded: LoadedModel | null, id: number, ply: number): Promise<Evaluation> {
  if (!loaded) throw new ViewerError(404, "the viewer has no model: start it with --model FILE.onnx");
  const { game, state } = gamePosition(db, id, ply);
  if (game.id !== loaded.game) throw new ViewerError(400, `the model is for ${loaded.game}, game ${id} is ${game.id}`);
  const planes = new Float32Array(game.planes * game.height * game.width);
  game.encode(state, planes);
  const { policy, value } = await loaded.model.evaluate(planes, 1);
  const mask = state.legalMask();
  const moves = mask.some((m) => m === 1) ? legalProbabilities(policy, mask) : [];
  const before = state.cells();
  return {
    ply,
    toPlay: state.toPlay,
    value: value[0]!,
    policy: moves.map(({ action, p }) => {
      // The cell a move puts its stone on (null for a pass), found by playing it on a copy.
      const next = state.clone();
      next.play(action);
      const after = next.cells();
      const cell = after.findIndex((v, c) => v !== 0 && before[c] === 0);
      return { move: game.actionText(action), cell: cell < 0 ? null : cell, p };
    }),
  };
}

export interface Viewer {
  app: Hono;
  /** What was done before serving (an older database's schema upgraded). */
  notes: string[];
  close(): Promise<void>;
}

/**
 * The viewer of one database: refuses at once (InputError, one line) a file that is not a
 * fossil database of this version, and a model that cannot be read.
 */
export async function createViewer(o: ViewerOptions): Promise<Viewer> {
  const assets = readAssets();
  const notes: string[] = [];
  let db: Db;
  try {
    db = openDatabase(o.db, { readonly: true });
  } catch (e) {
    if (!(e instanceof OlderSchemaError)) throw e;
    // A database of an older fossil: migrated once (as any command that writes would), then read.
    try {
      openDatabase(o.db).close();
    } catch (why) {
      if (!(why instanceof InputError)) throw why;
      throw new InputError(`database schema version ${e.version} is older than ${SCHEMA_VERSION}, and its one-time upgrade needs to write it: ${why.message.replace(`${o.db}: `, "")}`, { file: o.db });
    }
    notes.push(`upgraded ${o.db} from schema version ${e.version} to ${SCHEMA_VERSION} (see db/README.md)`);
    db = openDatabase(o.db, { readonly: true });
  }
  // SQLite reads a database in place only where it may write its shared-memory file beside it;
  // elsewhere openDatabase reads a copy, which later writes do not reach.
  if (db.memory) notes.push(`${o.db}: its folder cannot be written, so the viewer shows a copy taken now: games stored from now on will not appear`);
  let loaded: LoadedModel | null = null;
  try {
    loaded = o.model === undefined ? null : await loadModel(o.model);
  } catch (e) {
    db.close();
    throw e;
  }
  const ladders = new LadderCache();
  const app = new Hono();

  const fail = (c: Context, e: unknown, json: boolean) => {
    // ViewerErrors say what is wrong with the request or the database; an InputError here is
    // something in the database fossil cannot read (a stored spec it does not know); anything
    // else is a bug, logged with its stack.
    const status = e instanceof ViewerError ? e.status : 500;
    const message = e instanceof ViewerError || e instanceof InputError ? e.message : "internal error (see the server's output)";
    if (status === 500) process.stderr.write(`fossil serve: ${c.req.method} ${c.req.path}: ${e instanceof ViewerError || e instanceof InputError ? message : ((e as Error).stack ?? String(e))}\n`);
    if (status === 405) c.header("Allow", "GET, HEAD");
    return json ? c.json({ error: message }, status) : c.html(html("error", { error: { status, message } }), status);
  };
  // The security headers go on every answer, errors included.
  app.use("*", async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.header(name, value);
  });
  app.use("*", async (c, next) => {
    const host = c.req.header("host");
    if (o.hosts && !(host !== undefined && o.hosts.includes(hostName(host)))) {
      throw new ViewerError(421, `this viewer answers to ${o.hosts.join(", ")}, not to the host "${(host ?? "").slice(0, 100)}"`);
    }
    if (c.req.method !== "GET" && c.req.method !== "HEAD") throw new ViewerError(405, `the viewer only reads: ${c.req.method} is not allowed`);
    await next();
  });

  // Pages: the request is checked here, so a bad id or filter is a 404/400 page, not a blank one.
  const query = (c: Context): URLSearchParams => new URL(c.req.url).searchParams;
  app.get("/", (c) => {
    dashboardQuery(query(c));
    return c.html(html("dashboard"));
  });
  app.get("/ladder", (c) => {
    const f = ladderFilter(query(c), ["game", "kind", "player"]);
    if (f.game !== undefined) checkFamily(db, f.game);
    if (f.player !== undefined) headToHead(db, f.player, f.game);
    return c.html(html("ladder"));
  });
  app.get("/games", (c) => {
    gameList(db, { ...gameFilter(query(c)), limit: 1 });
    return c.html(html("games"));
  });
  app.get("/games/:id", (c) => {
    noQuery(query(c));
    const id = gameId(c.req.param("id"));
    checkGame(db, id);
    return c.html(html("game", { id }));
  });

  // The API.
  app.get("/api/info", (c) => c.json(info(db, o.db, loaded && { path: loaded.path, game: loaded.game })));
  app.get("/api/studies", (c) => c.json(studies(db)));
  app.get("/api/runs", (c) => c.json(runs(db)));
  app.get("/api/ladder", (c) => c.json(ladders.get(db, ladderFilter(query(c)))));
  app.get("/api/head-to-head", (c) => {
    const f = ladderFilter(query(c), ["player", "game"]);
    if (f.player === undefined) throw new ViewerError(400, "player is missing: whose head-to-head table");
    return c.json(headToHead(db, f.player, f.game));
  });
  app.get("/api/games", (c) => c.json(gameList(db, gameFilter(query(c)))));
  app.get("/api/games/:id", (c) => {
    noQuery(query(c));
    return c.json(gameDetail(db, gameId(c.req.param("id"))));
  });
  app.get("/api/games/:id/sgf", (c) => {
    noQuery(query(c));
    const { name, text } = gameSgf(db, gameId(c.req.param("id")));
    c.header("Content-Disposition", `attachment; filename="${name}"`);
    return c.body(text, 200, { "Content-Type": "application/x-go-sgf; charset=utf-8" });
  });
  app.get("/api/games/:id/eval", async (c) => c.json(await evaluate(db, loaded, gameId(c.req.param("id")), evalQuery(query(c)).ply)));
  app.get("/api/*", () => {
    throw new ViewerError(404, "no such API path (see src/web/README.md)");
  });

  app.get("/assets/:name", (c) => {
    const asset = assets.get(c.req.param("name"));
    if (!asset) throw new ViewerError(404, "no such file");
    return c.body(new Uint8Array(asset.body), 200, { "Content-Type": asset.type, "Cache-Control": "no-cache" });
  });
  app.notFound((c) => fail(c, new ViewerError(404, `no page ${new URL(c.req.url).pathname.slice(0, 100)}`), c.req.path.startsWith("/api/")));
  app.onError((e, c) => fail(c, e, c.req.path.startsWith("/api/")));

  return {
    app,
    notes,
    close: async () => {
      await loaded?.model.close();
      db.close();
    },
  };
}

/** Serves a viewer on `host:port` (port 0: any free one); resolves once it listens. */
export async function serveViewer(o: ViewerOptions & { port: number; host: string }): Promise<{ url: string; notes: string[]; close(): Promise<void> }> {
  const loopback = LOOPBACK.includes(hostName(o.host.includes(":") && !o.host.startsWith("[") ? `[${o.host}]` : o.host));
  const viewer = await createViewer({ ...o, hosts: o.hosts ?? (loopback ? LOOPBACK : undefined) });
  const server = createAdaptorServer({ fetch: viewer.app.fetch });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(o.port, o.host, () => resolve());
    });
  } catch (e) {
    await viewer.close();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new InputError(`port ${o.port} on ${o.host} is in use: give another --port`);
    if (code === "EACCES") throw new InputError(`may not listen on port ${o.port} of ${o.host}: give a port above 1023`);
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") throw new InputError(`--host ${o.host} is not an address of this machine`);
    throw e;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/`,
    notes: viewer.notes,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => void viewer.close().then(resolve));
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
