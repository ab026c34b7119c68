/**
 * Server users and login sessions, kept in the state database (tables `users` and `sessions`: migration 5,
 * live/state/migration-005-users-sessions.ts). Passwords are hashed with scrypt (node:crypto, 16-byte per-user salt,
 * 64-byte key) and compared in constant time. Session tokens are 32 random bytes (base64url) handed to the client
 * once; the database keeps only their SHA-256.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { usageError } from '../../engine/errors.ts';
import { insertAudit } from '../state/journal.ts';
import { prep, type StateDb } from '../state/db.ts';

export type Role = 'viewer' | 'operator' | 'admin';
export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];
/** viewer < operator < admin: a role may do everything the roles below it may. */
export const roleRank = (r: Role): number => ROLES.indexOf(r);

export interface UserView {
  readonly name: string;
  readonly role: Role;
  readonly createdAt: number;
}

export interface ScryptCost {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}
/** OWASP's scrypt minimum (N=2^17, r=8, p=1) costs ~100 ms here; 2^15 keeps a login ~30 ms and 32 MiB. */
export const DEFAULT_SCRYPT: ScryptCost = Object.freeze({ N: 1 << 15, r: 8, p: 1 });
const KEY_LEN = 64;
const SESSION_CACHE_MS = 2000;
export const MIN_PASSWORD_LENGTH = 10;

function scryptAsync(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  return new Promise((res, rej) => scrypt(password, salt, KEY_LEN, { N: cost.N, r: cost.r, p: cost.p, maxmem: 256 * cost.N * cost.r }, (e, k) => (e ? rej(e) : res(k))));
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

interface UserDbRow { name: string; role: Role; salt: Buffer; hash: Buffer; cost: string; created_at: number; updated_at: number }

export class UsersRepo {
  /** A fixed dummy hash, so that an unknown user costs the same scrypt as a known one (no timing oracle). */
  #dummy = { salt: randomBytes(16), hash: Buffer.alloc(KEY_LEN) };
  readonly #sessions = new Map<string, { user: UserView; expiresAt: number; cachedAt: number }>();

  /** `db`: the state database, migrated (openStateDb / openStateStore apply migration 5, which holds both tables). */
  constructor(private readonly db: StateDb, private readonly cost: ScryptCost = DEFAULT_SCRYPT) {}

  count(role?: Role): number {
    const r = (role ? prep(this.db, 'SELECT COUNT(*) AS n FROM users WHERE role = ?').get(role) : prep(this.db, 'SELECT COUNT(*) AS n FROM users').get()) as { n: number };
    return r.n;
  }

  list(): UserView[] {
    return (prep(this.db, 'SELECT name, role, created_at FROM users ORDER BY name').all() as UserDbRow[]).map((r) => ({ name: r.name, role: r.role, createdAt: r.created_at }));
  }

  get(name: string): UserView | undefined {
    const r = prep(this.db, 'SELECT name, role, created_at FROM users WHERE name = ?').get(name) as UserDbRow | undefined;
    return r && { name: r.name, role: r.role, createdAt: r.created_at };
  }

  /** Creates a user (audited as 'user.create'; the audit row never holds the password or its hash). */
  async create(name: string, password: string, role: Role, actor: string, ts: number): Promise<UserView> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/.test(name)) throw usageError('USER_NAME_INVALID', `user name '${name}' must be 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit`);
    if (!ROLES.includes(role)) throw usageError('ROLE_INVALID', `role '${role}' is not one of ${ROLES.join(', ')}`);
    if (password.length < MIN_PASSWORD_LENGTH) throw usageError('PASSWORD_TOO_SHORT', `a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
    const salt = randomBytes(16);
    const hash = await scryptAsync(password, salt, this.cost);
    return this.db.transaction(() => {
      if (this.get(name)) throw usageError('USER_EXISTS', `user '${name}' already exists`);
      prep(this.db, 'INSERT INTO users (name, role, salt, hash, cost, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(name, role, salt, hash, JSON.stringify(this.cost), ts, ts);
      const u = this.get(name)!;
      insertAudit(this.db, { ts, actor, action: 'user.create', entity: 'user', entityId: name, before: null, after: u });
      return u;
    }).immediate();
  }

  /** Deletes a user and their sessions (audited). Refuses to delete the last admin. */
  delete(name: string, actor: string, ts: number): UserView {
    return this.db.transaction(() => {
      const u = this.get(name);
      if (!u) throw usageError('USER_NOT_FOUND', `no user '${name}'`);
      if (u.role === 'admin' && this.count('admin') === 1) throw usageError('LAST_ADMIN', `user '${name}' is the last admin and cannot be deleted; create another admin first`);
      prep(this.db, 'DELETE FROM sessions WHERE user_name = ?').run(name);
      this.#sessions.clear();
      prep(this.db, 'DELETE FROM users WHERE name = ?').run(name);
      insertAudit(this.db, { ts, actor, action: 'user.delete', entity: 'user', entityId: name, before: u, after: null });
      return u;
    }).immediate();
  }

  /** The user when the password matches, else undefined. Always runs one scrypt (unknown users too). */
  async verify(name: string, password: string): Promise<UserView | undefined> {
    const r = prep(this.db, 'SELECT * FROM users WHERE name = ?').get(name) as UserDbRow | undefined;
    const salt = r ? r.salt : this.#dummy.salt;
    const expected = r ? r.hash : this.#dummy.hash;
    const cost = r ? (JSON.parse(r.cost) as ScryptCost) : this.cost;
    const got = await scryptAsync(password, salt, cost);
    const ok = got.length === expected.length && timingSafeEqual(got, expected);
    return ok && r ? { name: r.name, role: r.role, createdAt: r.created_at } : undefined;
  }

  /** A new session token for the user, valid for ttlMs. Only its hash is stored. */
  createSession(name: string, now: number, ttlMs: number): { token: string; expiresAt: number } {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = now + ttlMs;
    prep(this.db, 'DELETE FROM sessions WHERE expires_at <= ?').run(now);
    prep(this.db, 'INSERT INTO sessions (token_hash, user_name, created_at, expires_at) VALUES (?, ?, ?, ?)').run(sha256(token), name, now, expiresAt);
    return { token, expiresAt };
  }

  /**
   * The user of a live session token, else undefined. Lookups are cached for SESSION_CACHE_MS of wall time (every
   * request carries the token); expiry is still checked against `now`, and logout / user deletion clear the cache.
   */
  session(token: string, now: number): UserView | undefined {
    const key = sha256(token);
    const wall = Date.now();
    const hit = this.#sessions.get(key);
    if (hit && wall - hit.cachedAt < SESSION_CACHE_MS) return hit.expiresAt > now ? hit.user : undefined;
    const r = prep(this.db, `SELECT u.name, u.role, u.created_at, s.expires_at FROM sessions s JOIN users u ON u.name = s.user_name
      WHERE s.token_hash = ?`).get(key) as (UserDbRow & { expires_at: number }) | undefined;
    if (!r) { this.#sessions.delete(key); return undefined; }
    const user = { name: r.name, role: r.role, createdAt: r.created_at };
    if (this.#sessions.size > 10_000) this.#sessions.clear();
    this.#sessions.set(key, { user, expiresAt: r.expires_at, cachedAt: wall });
    return r.expires_at > now ? user : undefined;
  }

  endSession(token: string): boolean {
    this.#sessions.delete(sha256(token));
    return prep(this.db, 'DELETE FROM sessions WHERE token_hash = ?').run(sha256(token)).changes === 1;
  }
}
