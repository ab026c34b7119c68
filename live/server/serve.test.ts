// The listener: loopback unless an admin exists, bootstrap admin, real HTTP on 127.0.0.1, graceful shutdown, the
// serve command.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yargs from 'yargs';
import { describe, expect, it } from 'vitest';
import { isTradelabError } from '../../engine/errors.ts';
import { isLoopback, startServer } from './serve.ts';
import { configDirFor, PACKAGED_CONFIG_DIR, serveCommand } from './serve-command.ts';
import { FAST_SCRYPT, REPO_CONFIG } from './server-harness.test-util.ts';

const home = () => mkdtempSync(join(tmpdir(), 'tradelab-serve-'));
const base = (env: Record<string, string>) => ({ env, cwd: tmpdir(), configDir: REPO_CONFIG, logger: false, scrypt: FAST_SCRYPT, probeExchange: async () => ({ ok: true, detail: 'test' }) });

describe('tradelab serve', () => {
  it('isLoopback', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopback(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', '::ffff:10.0.0.1']) expect(isLoopback(h), h).toBe(false);
  });

  it('refuses a non-loopback address without an admin, and releases its lock', async () => {
    const env = { TRADELAB_HOME: home() };
    let err: unknown;
    try { await startServer({ ...base(env), host: '0.0.0.0', port: 0 }); } catch (e) { err = e; }
    expect(isTradelabError(err) && err.code).toBe('AUTH_NOT_CONFIGURED');
    expect(String((err as Error).message)).toContain('TRADELAB_ADMIN_PASSWORD');
    const s = await startServer({ ...base(env), host: '127.0.0.1', port: 0 });
    await s.close();
  });

  it('bootstraps the admin from TRADELAB_ADMIN_PASSWORD, then listens on any address with auth required', async () => {
    const env = { TRADELAB_HOME: home(), TRADELAB_ADMIN_PASSWORD: 'bootstrap password' };
    const s = await startServer({ ...base(env), host: '0.0.0.0', port: 0 });
    try {
      const url = `http://127.0.0.1:${s.port}`;
      expect((await fetch(`${url}/api/status`)).status).toBe(401);
      const auth = { authorization: `Basic ${Buffer.from('admin:bootstrap password').toString('base64')}` };
      const me = await fetch(`${url}/api/auth/me`, { headers: auth });
      expect((await me.json()) as object).toEqual({ user: 'admin', role: 'admin' });
      const create = await fetch(`${url}/api/bots`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'b', strategy: 'sma-cross', symbols: ['BTC/USDT'], exchange: 'binance', mode: 'paper', budget: 10 }) });
      // The bot runtime is wired in: the bot is recorded (a paper bot starts only with the exchange reachable).
      expect([create.status, ((await create.json()) as { status: string }).status]).toEqual([201, 'created']);
    } finally {
      await s.close();
    }
  });

  it('on loopback with no user, answers without credentials; a second server on the same home is refused; close frees the port', async () => {
    const env = { TRADELAB_HOME: home() };
    const s = await startServer({ ...base(env), host: '127.0.0.1', port: 0 });
    const url = s.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(((await (await fetch(`${url}/api/status`)).json()) as { status: string }).status).toBe('PAUSED');
    await expect(startServer({ ...base(env), host: '127.0.0.1', port: 0 })).rejects.toThrow(/lock|running|held/i);
    await s.close();
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    expect(s.store.db.open).toBe(false);
  });

  it('config directory: --config, TRADELAB_CONFIG_DIR, ./config, the shipped one', () => {
    expect(configDirFor('cfg', {}, '/a')).toBe('/a/cfg');
    expect(configDirFor(undefined, { TRADELAB_CONFIG_DIR: '/etc/tl' }, '/a')).toBe('/etc/tl');
    expect(configDirFor(undefined, {}, '/nonexistent')).toBe(PACKAGED_CONFIG_DIR);
    expect(PACKAGED_CONFIG_DIR).toBe(REPO_CONFIG);
  });

  it('the serve command listens, prints its address and shuts down on the stop signal', async () => {
    const out: string[] = [], err: string[] = [];
    let stop!: (s: string) => void;
    const stopped = new Promise<string>((r) => { stop = r; });
    const ctx = { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), env: { TRADELAB_HOME: home() }, cwd: tmpdir(), isTTY: false };
    let exit = 0;
    const y = serveCommand({ stopped: () => stopped }).register(yargs([]).strict(), ctx, (c) => { exit = c; });
    const run = y.parseAsync(['serve', '--port', '0']);
    for (let i = 0; i < 200 && !out.join('').includes('listening'); i++) await new Promise((r) => setTimeout(r, 20));
    const url = /listening on (\S+)/.exec(out.join(''))![1];
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    stop('SIGTERM');
    await run;
    expect(out.join('')).toContain('SIGTERM, shutting down');
    expect([exit, err]).toEqual([0, []]);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    const bad: string[] = [];
    const y2 = serveCommand({ stopped: () => stopped }).register(yargs([]).strict(), { ...ctx, stderr: (s: string) => bad.push(s) }, (c) => { exit = c; });
    await y2.parseAsync(['serve', '--host', '0.0.0.0', '--port', '0', '--config', REPO_CONFIG]);
    expect(exit).toBe(2);
    expect(bad.join('')).toContain('AUTH_NOT_CONFIGURED');
  });
});
