import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { isTradelabError } from '../../engine/errors.ts';
import { MIGRATIONS, migrate, schemaVersion, type Migration } from './migrations.ts';
import { openStateDb } from './db.ts';
import { stateHomePaths } from './paths.ts';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

const TABLES = ['alert_deliveries', 'alerts', 'audit_log', 'bot_commands', 'bot_state', 'bot_tasks', 'bots', 'config_overrides', 'fills', 'lot_closes', 'lots', 'orders', 'pnl_snapshots',
  'positions', 'risk_denials', 'schema_migrations', 'sessions', 'strategy_rotations', 'users', 'venue_journal', 'webhook_alerts'];
const LATEST = MIGRATIONS[MIGRATIONS.length - 1].version;

describe('migrations', () => {
  it('upgrade an empty database, then re-run as a no-op', () => {
    const db = new Database(':memory:');
    expect(schemaVersion(db)).toBe(0);
    expect(migrate(db)).toEqual(MIGRATIONS.map((m) => m.version));
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    expect(tables).toEqual(TABLES);
    expect(migrate(db)).toEqual([]);
    expect(db.prepare('SELECT version, name FROM schema_migrations').all()).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
  });

  it('applies only the new migrations, in order, and rolls back a failing one whole', () => {
    const db = new Database(':memory:');
    migrate(db);
    const next: Migration[] = [...MIGRATIONS, { version: LATEST + 1, name: 'add a column', sql: 'ALTER TABLE alerts ADD COLUMN source TEXT' }];
    expect(migrate(db, next)).toEqual([LATEST + 1]);
    expect(schemaVersion(db)).toBe(LATEST + 1);
    const broken: Migration[] = [...next, { version: LATEST + 2, name: 'broken', sql: 'CREATE TABLE t3 (x INTEGER); INSERT INTO nowhere VALUES (1);' }];
    expect(() => migrate(db, broken)).toThrow(/nowhere/);
    expect(schemaVersion(db)).toBe(LATEST + 1);
    expect(db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 't3'").get()).toEqual({ n: 0 });
  });

  it('refuses a database newer than the code', () => {
    const db = new Database(':memory:');
    migrate(db, [...MIGRATIONS, { version: LATEST + 9, name: 'future', sql: 'SELECT 1' }]);
    let err: unknown;
    try { migrate(db); } catch (e) { err = e; }
    expect(isTradelabError(err) && err.code === 'STATE_SCHEMA_TOO_NEW').toBe(true);
  });

  it('opens TRADELAB_HOME/tradelab.db in WAL mode with foreign keys, creating logs/ and locks/', () => {
    const home = mkdtempSync(join(tmpdir(), 'tradelab-home-'));
    dirs.push(home);
    const db = openStateDb(join(home, 'nested'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    db.close();
    const full = openStateDb(join(home, 'nested'), { synchronous: 'full' });
    expect(full.pragma('synchronous', { simple: true })).toBe(2);
    full.close();
    const paths = stateHomePaths(join(home, 'nested'));
    expect(full.name).toBe(paths.dbPath);
    expect(existsSync(paths.logsDir) && existsSync(paths.locksDir)).toBe(true);
    // reopening an up-to-date database applies nothing and keeps the data
    const again = openStateDb(join(home, 'nested'));
    expect(schemaVersion(again)).toBe(MIGRATIONS.at(-1)!.version);
    again.close();
  });
});
