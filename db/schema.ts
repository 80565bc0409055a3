/**
 * The game database: one SQLite file (WAL mode, foreign keys on) holding runs, players, games,
 * matches and rating snapshots. The schema is versioned with `PRAGMA user_version` and marked
 * with `PRAGMA application_id`, so a database from a newer fossil, or a SQLite file that is not
 * fossil's, is refused before anything is written. Documented in db/README.md.
 */
import Database from "better-sqlite3";
import { accessSync, constants, existsSync, readFileSync, statSync, type Stats } from "node:fs";
import { dirname } from "node:path";
import { InputError } from "../core/errors.js";

/** "foss" as a 32-bit integer, marks fossil databases. */
export const APPLICATION_ID = 0x666f7373;

/** Each entry migrates from version i to i + 1. */
const MIGRATIONS: string[] = [
  `
  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    config TEXT NOT NULL DEFAULT '{}',          -- JSON: game, arms, budgets, params
    seed INTEGER,
    code_version TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  );
  CREATE TABLE players (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,                  -- the player spec string, or a human's name
    kind TEXT NOT NULL CHECK (kind IN ('network', 'random', 'rollout', 'solver', 'gtp', 'human', 'other')),
    game TEXT,                                  -- go:9, connect4, ... (NULL: any)
    model_path TEXT,                            -- network checkpoints
    search TEXT,                                -- JSON: search settings (simulations, ...)
    run_id INTEGER REFERENCES runs(id),
    arm TEXT,                                   -- prior, zero, prior-frozen
    generation INTEGER,
    compute TEXT,                               -- JSON: positions, evaluations, cpu_seconds spent to produce it
    rank TEXT,                                  -- humans: rank as recorded (e.g. 3k)
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  );
  CREATE TABLE matches (
    id INTEGER PRIMARY KEY,
    run_id INTEGER REFERENCES runs(id),
    game TEXT NOT NULL,
    config TEXT NOT NULL DEFAULT '{}',          -- JSON: players, games, swap, openings
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  );
  CREATE TABLE games (
    id INTEGER PRIMARY KEY,
    game TEXT NOT NULL,                         -- go:9, connect4
    board_size INTEGER,                         -- Go: N of NxN; Connect Four: NULL
    rules TEXT,                                 -- Go: "tromp-taylor komi=7"
    komi REAL,
    black_id INTEGER NOT NULL REFERENCES players(id),
    white_id INTEGER NOT NULL REFERENCES players(id),
    moves TEXT,                                 -- Go: SGF points, 2 letters a move, tt = pass; Connect Four: columns 1-7; NULL: result only
    setup TEXT,                                 -- Go setup stones: "B:aabb W:cc"
    result TEXT NOT NULL,                       -- SGF RE form: B+3.5, W+R, 0
    winner INTEGER CHECK (winner IN (0, 1)),    -- 0 black/first, 1 white/second, NULL draw or no result
    score REAL,                                 -- from Black's view; NULL when none (resignation)
    length INTEGER,                             -- moves played
    end_reason TEXT,                            -- score, connect, resign, move-cap, forfeit, crash, timeout, illegal
    source TEXT NOT NULL CHECK (source IN ('selfplay', 'match', 'import', 'teacher', 'human')),
    match_id INTEGER REFERENCES matches(id),
    run_id INTEGER REFERENCES runs(id),
    played_at TEXT,                             -- date of play when known (SGF DT)
    stored_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    fingerprint TEXT UNIQUE                     -- for imports: stops a record from being stored twice
  );
  CREATE INDEX games_black ON games(black_id);
  CREATE INDEX games_white ON games(white_id);
  CREATE INDEX games_game_source ON games(game, source);
  CREATE TABLE rating_snapshots (
    id INTEGER PRIMARY KEY,
    game TEXT,                                  -- the games rated (NULL: all)
    anchor TEXT NOT NULL,                       -- "random=0"
    method TEXT NOT NULL,                       -- "bradley-terry elo"
    params TEXT NOT NULL DEFAULT '{}',          -- JSON: prior, first-move advantage, games used
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  );
  CREATE TABLE ratings (
    snapshot_id INTEGER NOT NULL REFERENCES rating_snapshots(id) ON DELETE CASCADE,
    player_id INTEGER NOT NULL REFERENCES players(id),
    elo REAL NOT NULL,
    ci95 REAL NOT NULL,                         -- half-width of the 95% interval
    games INTEGER NOT NULL,
    score REAL NOT NULL,                        -- points per game (wins + draws/2) / games
    PRIMARY KEY (snapshot_id, player_id)
  );

  -- Views for the common questions (see db/README.md).
  CREATE VIEW ladder AS
    SELECT p.name AS player, p.kind, p.arm, p.generation, r.elo, r.ci95, r.games, r.score, s.id AS snapshot
    FROM ratings r JOIN players p ON p.id = r.player_id JOIN rating_snapshots s ON s.id = r.snapshot_id
    WHERE s.id = (SELECT max(id) FROM rating_snapshots)
    ORDER BY r.elo DESC;
  CREATE VIEW head_to_head AS
    SELECT a.name AS player, b.name AS opponent, g.game,
      count(*) AS games,
      sum(CASE WHEN (g.black_id = a.id AND g.winner = 0) OR (g.white_id = a.id AND g.winner = 1) THEN 1 ELSE 0 END) AS wins,
      sum(CASE WHEN g.winner IS NULL AND g.result = '0' THEN 1 ELSE 0 END) AS draws,
      sum(CASE WHEN (g.black_id = a.id AND g.winner = 1) OR (g.white_id = a.id AND g.winner = 0) THEN 1 ELSE 0 END) AS losses
    FROM games g
    JOIN players a ON a.id IN (g.black_id, g.white_id)
    JOIN players b ON b.id IN (g.black_id, g.white_id) AND b.id <> a.id
    GROUP BY a.id, b.id, g.game;
  CREATE VIEW elo_by_generation AS
    SELECT ru.name AS run, p.arm, p.generation, p.name AS player, r.elo, r.ci95, p.compute
    FROM ratings r JOIN players p ON p.id = r.player_id LEFT JOIN runs ru ON ru.id = p.run_id
    WHERE r.snapshot_id = (SELECT max(id) FROM rating_snapshots) AND p.generation IS NOT NULL
    ORDER BY ru.name, p.arm, p.generation;
  CREATE VIEW game_stats AS
    SELECT game, source, count(*) AS games, avg(length) AS mean_length, min(length) AS min_length, max(length) AS max_length,
      avg(CASE WHEN winner = 0 THEN 1.0 ELSE 0.0 END) AS black_share,
      avg(CASE WHEN winner = 1 THEN 1.0 ELSE 0.0 END) AS white_share,
      avg(CASE WHEN result = '0' THEN 1.0 ELSE 0.0 END) AS draw_share
    FROM games GROUP BY game, source;
  `,
  `
  -- Training samples of self-play games: the position is the game's after \`ply\` moves (re-encoded
  -- from games.moves when training); the policy target is the full search's visit counts.
  CREATE TABLE samples (
    game_id INTEGER NOT NULL REFERENCES games(id) ON DELETE CASCADE,
    ply INTEGER NOT NULL,
    to_play INTEGER NOT NULL CHECK (to_play IN (0, 1)),
    visits BLOB NOT NULL,                       -- float32 little-endian, one per action
    PRIMARY KEY (game_id, ply)
  );
  `,
  `
  -- The full game spec each game was played under ("go:9:chinese:7.5", "connect4"); board_size,
  -- rules and komi follow from it. Older rows get it from their rules text ("chinese komi=7.5"),
  -- but for Go self-play: its workers played the default rules (Tromp-Taylor, komi 7) whatever
  -- the rules column says, and the results are those of the defaults. Results without rules
  -- (CSV imports) keep the family. A match's game becomes the spec of its games.
  ALTER TABLE games ADD COLUMN spec TEXT;
  UPDATE games SET rules = 'tromp-taylor komi=7', komi = 7 WHERE source = 'selfplay' AND game LIKE 'go:%';
  UPDATE games SET spec = CASE
    WHEN rules IS NOT NULL THEN game || ':' || replace(rules, ' komi=', ':')
    ELSE game END;
  UPDATE matches SET game = coalesce((SELECT g.spec FROM games g WHERE g.match_id = matches.id LIMIT 1), game);
  `,
  `
  -- The plies (0-based, space-separated) of moves chosen at random: teacher games' opening moves
  -- and an imperfect expert's errors. Policy targets and move prediction leave them out.
  ALTER TABLE games ADD COLUMN random_moves TEXT;
  -- Self-play reinforcement learning (fossil loop). One row per generation of a run: the network
  -- that played (0: the starting one), what its self-play cost, and the training that made the
  -- next network (NULL until it is written). Compute counters grow with each stored chunk, in the
  -- same transaction as its games.
  CREATE TABLE generations (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    generation INTEGER NOT NULL,
    player_id INTEGER NOT NULL REFERENCES players(id),
    games INTEGER NOT NULL DEFAULT 0,
    moves INTEGER NOT NULL DEFAULT 0,
    samples INTEGER NOT NULL DEFAULT 0,         -- positions with a full search (training samples)
    evaluations INTEGER NOT NULL DEFAULT 0,     -- network evaluations in self-play
    selfplay_cpu_seconds REAL NOT NULL DEFAULT 0,
    selfplay_wall_seconds REAL NOT NULL DEFAULT 0,
    resign_threshold REAL,                      -- NULL: resignation off in this generation
    resigned INTEGER NOT NULL DEFAULT 0,
    no_resign_games INTEGER NOT NULL DEFAULT 0,
    false_resignations INTEGER NOT NULL DEFAULT 0,
    window_samples INTEGER,                     -- training: the replay window, samples drawn, steps
    train_samples INTEGER,
    train_steps INTEGER,
    policy_loss REAL,
    value_loss REAL,
    train_cpu_seconds REAL,
    train_wall_seconds REAL,
    trained_at TEXT,
    PRIMARY KEY (run_id, generation)
  );
  -- Each self-play game of the loop: its generation and index there (the replay window takes the
  -- latest in this order, whatever order workers stored them in), whether resigning was off, and
  -- the lowest value each side saw (the larger of the root's and its best move's).
  CREATE TABLE selfplay_games (
    game_id INTEGER PRIMARY KEY REFERENCES games(id) ON DELETE CASCADE,
    generation INTEGER NOT NULL,
    game_index INTEGER NOT NULL,                -- the game's index in its generation
    resign_disabled INTEGER NOT NULL CHECK (resign_disabled IN (0, 1)),
    lowest_black REAL NOT NULL,
    lowest_white REAL NOT NULL
  );
  `,
  `
  -- Studies (fossil study). A study is a run (runs.name = the study's name, runs.config = its
  -- settings); each arm and seed is a loop run named '<study>/<arm>/s<seed>' whose players carry
  -- the arm. The study's steps outside the loops (making the prior's data, training each prior,
  -- rating, the per-checkpoint metrics), with the cost of all attempts at them so far:
  CREATE TABLE study_steps (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    step TEXT NOT NULL,                         -- 'prior-data', 'prior@1500', 'rating', 'metrics'
    cpu_seconds REAL NOT NULL DEFAULT 0,        -- fossil's and its engines' (GNU Go) CPU time
    wall_seconds REAL NOT NULL DEFAULT 0,
    info TEXT,                                  -- JSON: what the step made
    done_at TEXT,                               -- NULL while unfinished
    PRIMARY KEY (run_id, step)
  );
  -- Per rated network of a study: move prediction and outcome error on the study's held-out
  -- prior games, and (Connect Four) its moves that lose value by the solver's judgement.
  CREATE TABLE checkpoint_metrics (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    player_id INTEGER NOT NULL REFERENCES players(id),
    moves INTEGER NOT NULL,                     -- positions whose move is predicted
    top1 REAL,
    top1_low REAL,
    top1_high REAL,
    outcome_positions INTEGER NOT NULL,
    outcome_mse REAL,
    outcome_ci95 REAL,
    value_positions INTEGER NOT NULL DEFAULT 0,
    value_losing INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, player_id)
  );
  `,
  `
  -- Indexes for the viewer's game list (fossil serve), newest first by id: a page filtered by run,
  -- source or game family is one walk down one of these (each keeps its rows in id order), and a
  -- study's rating games are counted from the run index.
  CREATE INDEX games_run ON games(run_id);
  CREATE INDEX games_source ON games(source);
  CREATE INDEX games_family ON games(game);
  `,
  `
  -- int8 self-play (fossil loop --precision int8): the precision each generation's self-play
  -- played in (NULL: fp32, not asked), and its int8 model's distance from the fp32 network on
  -- positions of the replay window, which decided it (src/train/precision.ts).
  ALTER TABLE generations ADD COLUMN selfplay_precision TEXT CHECK (selfplay_precision IN ('fp32', 'int8'));
  ALTER TABLE generations ADD COLUMN int8_value_gap REAL;
  ALTER TABLE generations ADD COLUMN int8_policy_kl REAL;
  ALTER TABLE generations ADD COLUMN int8_top1 REAL;
  `,
  `
  -- The int8 match gate: the match (matches.id) of the generation's int8 model against its fp32
  -- network at the run's simulations (a spot check, every few generations), the int8 side's
  -- score (wins + draws / 2, a share) and the one-sided sign test's p-value of a loss; p below
  -- 0.05 keeps the run in fp32 from that generation on.
  ALTER TABLE generations ADD COLUMN int8_match_id INTEGER;
  ALTER TABLE generations ADD COLUMN int8_match_score REAL;
  ALTER TABLE generations ADD COLUMN int8_match_p REAL;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** A read-only open of a database from an older fossil, which a read-write open would migrate. */
export class OlderSchemaError extends InputError {
  constructor(
    readonly version: number,
    file: string,
  ) {
    super(`database schema version ${version} is older than ${SCHEMA_VERSION}; open it once read-write to migrate`, { file });
  }
}

export type Db = Database.Database;

export interface OpenOptions {
  /**
   * Open read-only: the file must exist and be a fossil database (no migration). A database in a
   * folder this process cannot write (where SQLite cannot create its `-shm` file) is read from a
   * copy in memory, as long as no unmerged write-ahead log (`-wal`) lies beside it.
   */
  readonly?: boolean;
}

/** Whether this process may access `path` in `mode` (fs.constants.R_OK / W_OK). */
function may(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}

/** A SQLite error code ("SQLITE_READONLY_DIRECTORY"), or "" for other errors. */
function sqliteCode(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  return e instanceof Database.SqliteError && typeof code === "string" ? code : "";
}

/** One line saying why SQLite could not open or read a file. */
function openFailure(e: unknown): string {
  const code = sqliteCode(e), message = (e as Error).message;
  if (code === "SQLITE_NOTADB") return `not a SQLite database (${message})`;
  if (code.startsWith("SQLITE_CORRUPT")) return `damaged SQLite database (${message})`;
  if (code.startsWith("SQLITE_READONLY")) return `read-only: cannot write (${message})`;
  if (code.startsWith("SQLITE_CANTOPEN")) return `cannot open (${message})`;
  if (code.startsWith("SQLITE_PERM") || code.startsWith("SQLITE_AUTH")) return `cannot open: permission denied (${message})`;
  return `not a SQLite database (${message})`;
}

/**
 * Reads a database whose folder is read-only from a copy in memory: SQLite needs a `-shm` file
 * beside a WAL database to read it in place. Without a `-wal` file (or with an empty one) the
 * file itself holds every committed transaction, so the copy is exact.
 */
function openCopy(path: string): Db {
  const wal = `${path}-wal`;
  if (existsSync(wal) && statSync(wal).size > 0) {
    throw new InputError(`cannot read: its folder is read-only and ${wal} holds changes not yet merged into it (open it once where it is writable)`, { file: path });
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new InputError(`cannot read (${(e as Error).message})`, { file: path });
  }
  // The copy is one file in memory: mark it as a rollback-journal database (header bytes 18-19),
  // which SQLite requires of an in-memory image; the file itself is untouched.
  if (bytes.length >= 100 && bytes[18] === 2 && bytes[19] === 2) bytes[18] = bytes[19] = 1;
  try {
    const db = new Database(bytes, { readonly: true });
    db.pragma("schema_version", { simple: true });
    return db;
  } catch (e) {
    throw new InputError(openFailure(e), { file: path });
  }
}

/**
 * Opens (creating if needed) a fossil database and migrates it to the current schema, each
 * migration in one transaction. Refuses with one line naming the file, changing nothing: a
 * folder, a file that is not SQLite, a SQLite file of another application, a database from a
 * newer fossil; for writing, a file or folder this process may not write (SQLite keeps its
 * `-wal` and `-shm` files beside the database); for reading, a missing or empty file.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  const readonly = options.readonly ?? false;
  if (typeof path !== "string" || path === "") throw new InputError("name one database file (--db FILE)");
  let stat: Stats | undefined;
  try {
    stat = statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new InputError(`cannot open (${(e as Error).message})`, { file: path });
  }
  if (stat?.isDirectory()) throw new InputError("is a folder, not a database file", { file: path });
  if (stat && !stat.isFile()) throw new InputError("not a regular file", { file: path });
  const folder = dirname(path);
  if (readonly) {
    if (!stat) throw new InputError("no such database", { file: path });
    if (stat.size === 0) throw new InputError("empty file (0 bytes): not a fossil database", { file: path });
    if (!may(path, constants.R_OK)) throw new InputError("cannot read: permission denied", { file: path });
  } else {
    if (!existsSync(folder)) throw new InputError(`no such folder: ${folder}`, { file: path });
    if (stat && !may(path, constants.W_OK)) throw new InputError("read-only: cannot write (the file is read-only)", { file: path });
    if (!may(folder, constants.W_OK)) throw new InputError(`read-only: cannot write (its folder ${folder} is read-only, and SQLite writes its journal beside the database)`, { file: path });
  }
  let db: Db | undefined;
  try {
    db = new Database(path, { readonly, fileMustExist: readonly });
    db.pragma("busy_timeout = 10000");
    // Touch the file: better-sqlite3 opens lazily, so a non-SQLite file fails here.
    db.pragma("schema_version", { simple: true });
  } catch (e) {
    db?.close();
    const code = sqliteCode(e);
    if (readonly && (code === "SQLITE_READONLY_DIRECTORY" || code === "SQLITE_READONLY_CANTINIT" || code === "SQLITE_CANTOPEN")) db = openCopy(path);
    else throw new InputError(openFailure(e), { file: path });
  }
  if (!readonly && db.readonly) {
    // SQLite fell back to reading (a read-only file system, say): refuse before writing anything.
    db.close();
    throw new InputError("read-only: cannot write (SQLite could open it only for reading)", { file: path });
  }
  try {
    const appId = db.pragma("application_id", { simple: true }) as number;
    const version = db.pragma("user_version", { simple: true }) as number;
    const tables = (db.prepare("SELECT count(*) AS n FROM sqlite_master").get() as { n: number }).n;
    const empty = appId === 0 && version === 0 && tables === 0;
    if (readonly && empty) throw new InputError("an empty SQLite file (no tables): not a fossil database yet; nothing to read", { file: path });
    if (appId !== APPLICATION_ID && !empty) {
      throw new InputError("not a fossil database (another application's SQLite file); nothing was changed", { file: path });
    }
    if (version > SCHEMA_VERSION) {
      throw new InputError(`database schema version ${version} is newer than this fossil's ${SCHEMA_VERSION}; upgrade fossil (nothing was changed)`, { file: path });
    }
    if (options.readonly) {
      if (version < SCHEMA_VERSION) throw new OlderSchemaError(version, path);
    } else {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      // One migration per IMMEDIATE transaction, the version re-read inside it: another process
      // opening the same new file at the same moment may have migrated it already.
      const step = db.transaction((): boolean => {
        const v = db.pragma("user_version", { simple: true }) as number;
        if (v >= SCHEMA_VERSION) return false;
        db.exec(MIGRATIONS[v]!);
        db.pragma(`application_id = ${APPLICATION_ID}`);
        db.pragma(`user_version = ${v + 1}`);
        return true;
      });
      while (step.immediate()) {
        // next migration
      }
    }
    db.pragma("foreign_keys = ON");
    return db;
  } catch (e) {
    db.close();
    if (e instanceof InputError) throw e;
    // Writing the schema failed (a full disk, a file made read-only meanwhile): each migration
    // is one transaction, so nothing was half written.
    if (sqliteCode(e)) throw new InputError(`${openFailure(e)}; nothing was changed`, { file: path });
    throw e;
  }
}
