// Layered configuration: YAML files → environment → API overrides, one schema, every problem listed at once.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTradelabError } from '../../engine/errors.ts';
import { openMemoryStateStore } from '../state/store.ts';
import { ConfigService, loadConfig, loadServerSecrets } from './index.ts';

const REPO_CONFIG = resolve(import.meta.dirname, '../../config');
const copyConfig = () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradelab-config-'));
  cpSync(REPO_CONFIG, dir, { recursive: true });
  return dir;
};
const problemsOf = (f: () => unknown): string[] => {
  try { f(); } catch (e) { if (isTradelabError(e) && e.code === 'CONFIG_INVALID') return e.details!.problems as string[]; throw e; }
  throw new Error('expected CONFIG_INVALID');
};

describe('configuration', () => {
  it('the repository defaults are valid; paths resolve against the working directory', () => {
    const { config, sources } = loadConfig({ configDir: REPO_CONFIG, env: {}, cwd: '/srv/tl' });
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 8080 });
    expect(config.paths).toEqual({ home: '/srv/tl/.tradelab', resultsDir: '/srv/tl/results', cacheDir: '/srv/tl/.tradelab/cache' });
    expect(config.exchanges.binance.markets).toContain('BTC/USDT');
    expect(sources['server.port']).toBe('config/defaults.yaml');
    expect(sources['email.host']).toBe('config/email.yaml');
    expect(Object.isFrozen(config.server)).toBe(true);
  });

  it('layers: later files win, local.yaml last, then the environment, then overrides', () => {
    const dir = copyConfig();
    writeFileSync(join(dir, 'local.yaml'), 'server:\n  port: 9000\n  sessionTtlHours: 2\n');
    const env = { TRADELAB_PORT: '9100', LIVE_TRADING_ENABLED: 'true', TRADELAB_CONFIG__server__loginAttemptsPerMinute: '7', TRADELAB_HOME: '/h' };
    const { config, sources } = loadConfig({ configDir: dir, env, cwd: '/w', overrides: { 'server.sessionTtlHours': 3 } });
    expect(config.server).toMatchObject({ port: 9100, sessionTtlHours: 3, loginAttemptsPerMinute: 7 });
    expect(config.liveTradingEnabled).toBe(true);
    expect(config.paths.home).toBe('/h');
    expect(sources).toMatchObject({ 'server.port': 'env TRADELAB_PORT', 'server.sessionTtlHours': 'override', 'server.loginAttemptsPerMinute': 'env TRADELAB_CONFIG__server__loginAttemptsPerMinute' });
  });

  it('lists every problem of every layer at once', () => {
    const dir = copyConfig();
    writeFileSync(join(dir, 'local.yaml'), 'server:\n  port: 70000\n  colour: blue\nemail:\n  to: [not-an-address]\nexchanges:\n  binance:\n    markets: [BTCUSDT]\n');
    writeFileSync(join(dir, 'broken.yaml'), 'a: [1, 2\n');
    writeFileSync(join(dir, 'keys.yaml'), 'exchanges:\n  binance:\n    apiKey: abc\n');
    const problems = problemsOf(() => loadConfig({ configDir: dir, env: { LIVE_TRADING_ENABLED: 'yes', TRADELAB_PORT: '[' }, cwd: '/w' }));
    const text = problems.join('\n');
    for (const needle of ['server.port', 'server.colour', 'email.to.0', 'exchanges.binance.markets.0', 'config/broken.yaml: not valid YAML', 'config/keys.yaml: exchanges.binance.apiKey: secrets may not be written', 'liveTradingEnabled', 'env TRADELAB_PORT']) {
      expect(text, needle).toContain(needle);
    }
    expect(problems.length).toBeGreaterThanOrEqual(8);
    expect(text).not.toContain('abc');
  });

  it('a missing config directory or missing sections are reported', () => {
    const problems = problemsOf(() => loadConfig({ configDir: '/nonexistent/config', env: {}, cwd: '/' }));
    expect(problems[0]).toContain('/nonexistent/config does not exist');
  });

  it('secrets come from the environment or TRADELAB_SECRETS_DIR, never printed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tradelab-secrets-'));
    writeFileSync(join(dir, 'TRADELAB_WEBHOOK_SECRET'), 'hook-secret-1\n', { mode: 0o600 });
    const s = loadServerSecrets({ TRADELAB_SECRETS_DIR: dir, TRADELAB_SMTP_PASSWORD: 'smtp-pw' });
    expect(s.TRADELAB_WEBHOOK_SECRET?.value.reveal()).toBe('hook-secret-1');
    expect(s.TRADELAB_WEBHOOK_SECRET?.source).toBe(join(dir, 'TRADELAB_WEBHOOK_SECRET'));
    expect(s.TRADELAB_SMTP_PASSWORD?.source).toBe('env');
    expect(JSON.stringify(s)).not.toMatch(/hook-secret-1|smtp-pw/);
    expect(s.TRADELAB_TELEGRAM_TOKEN).toBeUndefined();
  });

  it('ConfigService: overrides are validated, saved (audited) and survive a restart', () => {
    const store = openMemoryStateStore();
    const layers = { configDir: REPO_CONFIG, env: {}, cwd: '/w' };
    const svc = new ConfigService(layers, store.journal);
    expect(svc.setOverride('email.port', 2525, 'alice', 1)).toEqual({ before: 587, after: 2525 });
    let err: unknown;
    try { svc.setOverride('email.port', 'x', 'alice', 2); } catch (e) { err = e; }
    expect(isTradelabError(err) && err.code).toBe('CONFIG_OVERRIDE_INVALID');
    expect(svc.config.email.port).toBe(2525);
    expect(new ConfigService(layers, store.journal).config.email.port).toBe(2525);
    expect(store.journal.listAudit().map((a) => [a.actor, a.action])).toEqual([['alice', 'config.override']]);
    expect(svc.clearOverride('email.port', 'alice', 3)).toBe(true);
    expect(svc.config.email.port).toBe(587);
    expect(() => svc.setOverride('paths.home', '/tmp', 'alice', 4)).toThrow(/cannot be changed through the API/);
  });
});
