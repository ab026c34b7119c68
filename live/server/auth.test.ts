// Access: scrypt users, sessions, Basic auth, login rate limit (429 + Retry-After), users admin, anonymous loopback.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeHarness, PASSWORD, type Harness } from './server-harness.test-util.ts';
import { AttemptLimiter } from './rate-limit.ts';

describe('access', () => {
  let h: Harness;
  beforeEach(async () => { h = await makeHarness(); });
  afterEach(async () => { await h.close(); });
  const login = (user: string, password: string, ip = '10.0.0.1') => h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { user, password }, remoteAddress: ip });

  it('stores only a salted scrypt hash and a hashed session token', async () => {
    const r = await login('admin', PASSWORD);
    const token = r.json().token as string;
    const dump = JSON.stringify(h.store.db.prepare('SELECT * FROM users').all()) + JSON.stringify(h.store.db.prepare('SELECT * FROM sessions').all());
    expect(dump).not.toContain(PASSWORD);
    expect(dump).not.toContain(token);
    const salts = (h.store.db.prepare('SELECT salt FROM users').all() as { salt: Buffer }[]).map((x) => x.salt.toString('hex'));
    expect(new Set(salts).size).toBe(salts.length);
    expect(h.store.journal.listAudit({ entity: 'user', entityId: 'admin' }).map((a) => a.action)).toContain('auth.login');
  });

  it('a session expires after server.sessionTtlHours, and logout ends it', async () => {
    const t = (await login('viewer', PASSWORD)).json().token as string;
    const me = () => h.app.inject({ url: '/api/auth/me', headers: { authorization: `Bearer ${t}` } });
    expect((await me()).statusCode).toBe(200);
    h.clock.now += 12 * 3_600_000 + 1;
    expect((await me()).statusCode).toBe(401);
    const t2 = (await login('viewer', PASSWORD)).json().token as string;
    expect((await h.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { authorization: `Bearer ${t2}` } })).json()).toEqual({ ended: true });
    expect((await h.app.inject({ url: '/api/auth/me', headers: { authorization: `Bearer ${t2}` } })).statusCode).toBe(401);
  });

  it('login attempts are limited per user and IP: the 6th in a minute is a 429 with Retry-After', async () => {
    for (let i = 0; i < 5; i++) expect((await login('admin', `wrong-${i}`)).statusCode).toBe(401);
    const r = await login('admin', PASSWORD);
    expect(r.statusCode).toBe(429);
    expect(r.json().error.code).toBe('LOGIN_RATE_LIMITED');
    expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(59);
    expect(Number(r.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect((await login('admin', PASSWORD, '10.0.0.2')).statusCode).toBe(200); // another IP
    expect((await login('operator', PASSWORD)).statusCode).toBe(200); // another user
    const basic = await h.app.inject({ url: '/api/auth/me', headers: h.basic('admin', PASSWORD), remoteAddress: '10.0.0.1' });
    expect(basic.statusCode).toBe(429); // Basic shares the limit
    h.clock.now += 60_001;
    expect((await login('admin', PASSWORD)).statusCode).toBe(200);
  });

  it('unknown user and wrong password give the same answer', async () => {
    const a = await login('nobody', 'whatever pw'), b = await login('admin', 'whatever pw');
    expect([a.statusCode, a.json()]).toEqual([b.statusCode, b.json()]);
  });

  it('malformed credentials are a 401, never a 500', async () => {
    for (const authorization of ['Basic', 'Basic !!!', `Basic ${Buffer.from('nocolon').toString('base64')}`, 'Bearer', 'Bearer x', 'Digest abc', 'x'.repeat(5000)]) {
      const r = await h.app.inject({ url: '/api/status', headers: { authorization } });
      expect(r.statusCode, authorization.slice(0, 20)).toBe(401);
    }
  });

  it('users admin: create, list, delete; the last admin stays; a deleted user\'s sessions end', async () => {
    const admin = h.auth('admin');
    expect((await h.app.inject({ method: 'POST', url: '/api/users', headers: admin, payload: { name: 'erin', password: 'erin password', role: 'operator' } })).statusCode).toBe(201);
    expect((await h.app.inject({ method: 'POST', url: '/api/users', headers: admin, payload: { name: 'erin', password: 'erin password', role: 'operator' } })).statusCode).toBe(409);
    expect((await h.app.inject({ url: '/api/users', headers: admin })).json().map((u: { name: string }) => u.name)).toEqual(['admin', 'erin', 'operator', 'viewer']);
    const viewer = h.auth('viewer');
    expect((await h.app.inject({ method: 'DELETE', url: '/api/users/viewer', headers: admin })).statusCode).toBe(200);
    expect((await h.app.inject({ url: '/api/status', headers: viewer })).statusCode).toBe(401);
    const last = await h.app.inject({ method: 'DELETE', url: '/api/users/admin', headers: admin });
    expect([last.statusCode, last.json().error.code]).toEqual([409, 'LAST_ADMIN']);
    expect((await h.app.inject({ method: 'DELETE', url: '/api/users/ghost', headers: admin })).statusCode).toBe(404);
  });

  it('anonymous requests get the configured role only while no user exists', async () => {
    await h.close();
    h = await makeHarness({ deps: { anonymousRole: 'admin' } });
    expect((await h.app.inject('/api/status')).statusCode).toBe(401); // users exist
    for (const u of h.users.list()) h.store.db.prepare('DELETE FROM users WHERE name = ?').run(u.name);
    expect((await h.app.inject('/api/auth/me')).json()).toEqual({ user: 'local', role: 'admin' });
  });
});

describe('AttemptLimiter', () => {
  it('allows max attempts per window and says when the next is allowed', () => {
    const l = new AttemptLimiter(2, 60_000);
    expect([l.hit('k', 0), l.hit('k', 10_000), l.hit('k', 20_000)]).toEqual([0, 0, 40]);
    expect(l.hit('k', 60_001)).toBe(0);
    expect(l.hit('other', 20_000)).toBe(0);
  });
});
