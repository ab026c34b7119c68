/** Opens (creating if needed) the SQLite database of a TRADELAB_HOME: WAL, foreign keys, busy timeout, migrated. */
import Database from 'better-sqlite3';
import { ensureStateHome } from './paths.ts';
import { migrate } from './migrations.ts';

export type StateDb = Database.Database;

export interface OpenDbOptions {
  /** Wait this long for another connection's write lock before failing (default 5000 ms). */
  readonly busyTimeoutMs?: number;
}

/** Opens `<home>/tradelab.db` (creating home, logs/ and locks/), applies pending migrations. */
export function openStateDb(home: string, opts: OpenDbOptions = {}): StateDb {
  const { dbPath } = ensureStateHome(home);
  return openDbFile(dbPath, opts);
}

/** Opens a database file (or ':memory:') with the store's pragmas and migrations. */
export function openDbFile(path: string, opts: OpenDbOptions = {}): StateDb {
  const db = new Database(path);
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`);
  db.pragma('journal_mode = WAL');
  // FULL: a committed transaction survives a power loss, not only a process crash.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}
