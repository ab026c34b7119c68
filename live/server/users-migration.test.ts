// Users and sessions live in numbered migration 5. A database made by the old code path (migrations 1-4, then the
// server's own CREATE TABLE IF NOT EXISTS with a user and a session in it) upgrades in place: its users log in with
// their passwords and their session tokens stay valid. A database that never saw the server gets the tables.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, schemaVersion } from '../state/migrations.ts';
import { openStateStore } from '../state/store.ts';
import { stateHomePaths } from '../state/paths.ts';
import { UsersRepo } from './users.ts';
import { FAST_SCRYPT, PASSWORD } from './server-harness.test-util.ts';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/** The SQL the server ran on every start before migration 5 (ensureAuthSchema), verbatim. */
const OLD_AUTH_SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  name        TEXT PRIMARY KEY,
  role        TEXT NOT NULL CHECK (role IN ('viewer','operator','admin')),
  salt        BLOB NOT NULL,
  hash        BLOB NOT NULL,
  cost        TEXT NOT NULL,               -- JSON {N,r,p} of the hash
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
  token_hash  TEXT PRIMARY KEY,            -- sha256 of the token, hex
  user_name   TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_name);`;

const home = () => { const d = mkdtempSync(join(tmpdir(), 'tl-users-mig-')); dirs.push(d); return d; };
const T = Date.UTC(2026, 0, 1);

describe('users and sessions in migration 5', () => {
  it('is the migration after 4 and holds both tables', () => {
    const m = MIGRATIONS.find((x) => x.name === 'server users and sessions')!;
    expect(m.version).toBe(5);
    expect(MIGRATIONS.map((x) => x.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    const db = new Database(':memory:');
    migrate(db);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table','index') AND name IN ('users','sessions','sessions_user') ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    expect(tables).toEqual(['sessions', 'sessions_user', 'users']);
  });

  it('upgrades a database made by the old code path: users log in, sessions stay valid, nothing is lost', async () => {
    const h = home();
    // The old server: the numbered migrations up to 4, then its own CREATE TABLE IF NOT EXISTS, then a user and a session.
    const db = new Database(stateHomePaths(h).dbPath);
    db.pragma('journal_mode = WAL');
    migrate(db, MIGRATIONS.filter((m) => m.version <= 4), T);
    db.exec(OLD_AUTH_SCHEMA);
    const oldUsers = new UsersRepo(db, FAST_SCRYPT);
    await oldUsers.create('alice', PASSWORD, 'operator', 'test', T);
    const { token } = oldUsers.createSession('alice', T, 3_600_000);
    expect(schemaVersion(db)).toBe(4);
    db.close();

    // The new code opens it: migration 5 is recorded, the tables and their rows are untouched.
    const store = openStateStore(h);
    try {
      expect(schemaVersion(store.db)).toBe(MIGRATIONS.at(-1)!.version);
      expect(store.db.prepare('SELECT version FROM schema_migrations WHERE version = 5').get()).toEqual({ version: 5 });
      const users = new UsersRepo(store.db, FAST_SCRYPT);
      expect(users.list()).toEqual([{ name: 'alice', role: 'operator', createdAt: T }]);
      expect(await users.verify('alice', PASSWORD)).toMatchObject({ name: 'alice', role: 'operator' });
      expect(await users.verify('alice', 'wrong password!')).toBeUndefined();
      expect(users.session(token, T + 1000)).toMatchObject({ name: 'alice' });
      // And it keeps working: a new user, a new session, a deletion cascading to its sessions.
      await users.create('bob', PASSWORD, 'admin', 'test', T);
      const s2 = users.createSession('bob', T, 3_600_000);
      expect(users.session(s2.token, T + 1)).toMatchObject({ name: 'bob' });
      users.delete('alice', 'bob', T + 2);
      expect(store.db.prepare("SELECT COUNT(*) AS n FROM sessions WHERE user_name = 'alice'").get()).toEqual({ n: 0 });
    } finally {
      store.close();
    }
  });

  it('a state database that never ran the server (at version 4) gets the tables', async () => {
    const h = home();
    const db = new Database(stateHomePaths(h).dbPath);
    migrate(db, MIGRATIONS.filter((m) => m.version <= 4), T);
    db.close();
    const store = openStateStore(h);
    try {
      const users = new UsersRepo(store.db, FAST_SCRYPT);
      expect(users.count()).toBe(0);
      await users.create('admin', PASSWORD, 'admin', 'bootstrap', T);
      expect(users.count('admin')).toBe(1);
    } finally {
      store.close();
    }
  });
});
