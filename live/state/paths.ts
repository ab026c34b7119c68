/**
 * The layout of TRADELAB_HOME for the live runner. The entry point resolves the directory (default `.tradelab/`
 * in the working directory, see research/paths.ts) and passes it in; nothing here reads the environment.
 *
 *   <home>/tradelab.db        SQLite database (WAL: tradelab.db-wal, tradelab.db-shm beside it)
 *   <home>/logs/              structured logs
 *   <home>/locks/             single-writer lock files
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface StateHomePaths {
  readonly home: string;
  readonly dbPath: string;
  readonly logsDir: string;
  readonly locksDir: string;
}

export function stateHomePaths(home: string): StateHomePaths {
  const h = resolve(home);
  return { home: h, dbPath: join(h, 'tradelab.db'), logsDir: join(h, 'logs'), locksDir: join(h, 'locks') };
}

/** Creates the home, logs and locks directories if missing; returns the paths. */
export function ensureStateHome(home: string): StateHomePaths {
  const p = stateHomePaths(home);
  mkdirSync(p.logsDir, { recursive: true });
  mkdirSync(p.locksDir, { recursive: true });
  return p;
}
