// Settings changed through the API apply at once in tradelab serve: email alert channels (checked like at start, then
// a real local SMTP server receives the next alert), the TradingView webhook switch, the login attempt limit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalSmtp } from '../alerts/local-servers.test-util.ts';
import { startServer } from './serve.ts';
import { UsersRepo } from './users.ts';
import { FAST_SCRYPT, PASSWORD, REPO_CONFIG } from './server-harness.test-util.ts';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

async function until<T>(f: () => T | undefined | false, what: string, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('settings overrides apply at once', () => {
  it('email channel, webhook switch and login limit', async () => {
    const home = mkdtempSync(join(tmpdir(), 'tl-settings-live-'));
    dirs.push(home);
    const smtp = await startLocalSmtp();
    const s = await startServer({
      env: { TRADELAB_HOME: home, TRADELAB_WEBHOOK_SECRET: 'tv-shared-secret-0123456789' }, cwd: tmpdir(), configDir: REPO_CONFIG, logger: false,
      scrypt: FAST_SCRYPT, probeExchange: async () => ({ ok: true, detail: 'test' }), host: '127.0.0.1', port: 0, alertPollMs: 20, runtime: { pollMs: 20 },
    });
    try {
      // No user yet: the loopback caller is admin.
      const put = (path: string, value: unknown) => s.app.inject({ method: 'PUT', url: '/api/settings/overrides', payload: { path, value } });
      const email = { enabled: true, host: '127.0.0.1', port: smtp.port, secure: false, user: '', from: 'tradelab@example.test', to: [] as string[] };
      // An enabled channel without recipients is refused before it is saved, as it would be at start.
      const bad = await put('email', email);
      expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'CONFIG_OVERRIDE_INVALID']);
      expect(bad.json().error.message).toContain('alerts.email.to');
      expect(s.store.journal.getOverride('', 'config.email')).toBeUndefined();
      expect((await put('email', { ...email, to: ['ops@example.test'] })).statusCode).toBe(200);
      // The next alert goes out by email, without a restart.
      s.store.journal.raiseAlert({ botId: null, ts: Date.now(), level: 'critical', code: 'KILL_SWITCH', message: 'global kill switch: 0 orders cancelled' });
      const mail = await until(() => smtp.mails.at(-1), 'the alert mail');
      expect(mail.rcptTo).toEqual(['ops@example.test']);
      expect(mail.mail.subject).toMatch(/kill switch/i);

      // The webhook is off by default; switching it on through the API takes effect at the next call.
      const tv = () => s.app.inject({ method: 'POST', url: '/api/webhooks/tradingview', payload: { symbol: 'BINANCE:DOGEUSDT', action: 'buy', secret: 'tv-shared-secret-0123456789', timestamp: Date.now() } });
      expect((await tv()).json().error.code).toBe('WEBHOOK_DISABLED');
      expect((await put('webhooks.tradingview.enabled', true)).statusCode).toBe(200);
      const on = await tv();
      expect([on.statusCode, on.json().error.code]).toEqual([404, 'WEBHOOK_UNKNOWN_SYMBOL']);

      // The login attempt limit (default 5 a minute) lowered to 2 applies to the next attempt.
      expect((await put('server.loginAttemptsPerMinute', 2)).statusCode).toBe(200);
      await new UsersRepo(s.store.db, FAST_SCRYPT).create('alice', PASSWORD, 'viewer', 'test', Date.now());
      const login = () => s.app.inject({ method: 'POST', url: '/api/auth/login', payload: { user: 'alice', password: 'wrong password!' } });
      expect([(await login()).statusCode, (await login()).statusCode, (await login()).statusCode]).toEqual([401, 401, 429]);
    } finally {
      await s.close();
      await smtp.close();
    }
  }, 60_000);
});
