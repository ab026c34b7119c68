/**
 * Migration 5 (additive): the API server's users and login sessions (live/server/users.ts).
 *
 * - `users`: name, role (viewer < operator < admin), the scrypt salt and hash of the password with the cost they were
 *   made with (so the cost can be raised later without invalidating old hashes). Never the password itself.
 * - `sessions`: login sessions; only the SHA-256 of the token handed to the client is kept.
 *
 * Until this migration the server created both tables itself with `CREATE TABLE IF NOT EXISTS` (ensureAuthSchema). The
 * SQL below is the same, still `IF NOT EXISTS`: a database where the server already made them keeps its users and
 * sessions unchanged and only records version 5.
 */
export const MIGRATION_005_USERS_SESSIONS: { readonly version: number; readonly name: string; readonly sql: string } = {
  version: 5,
  name: 'server users and sessions',
  sql: `
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
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_name);
`,
};
