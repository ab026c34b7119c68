import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isTradelabError } from '../../engine/errors.ts';
import { Secret } from '../secrets/index.ts';
import { alertSettingsProblems, createAlerting, loadAlertSecrets, parseAlertSettings, SMTP_PASSWORD_VAR, TELEGRAM_TOKEN_VAR } from './settings.ts';

describe('alert settings', () => {
  it('defaults: toast on for everything, email and telegram off, a one-minute de-duplication window', () => {
    const s = parseAlertSettings(undefined);
    expect(s.dedupWindowMs).toBe(60_000);
    expect(s.toast).toEqual({ enabled: true, triggers: [], minSeverity: 'info' });
    expect(s.email).toMatchObject({ enabled: false, port: 587, secure: false, tlsRejectUnauthorized: true, user: '', to: [], timeoutMs: 10_000 });
    expect(s.telegram).toMatchObject({ enabled: false, baseUrl: 'https://api.telegram.org', timeoutMs: 10_000 });
    expect(createAlerting(undefined, {}).channels.map((c) => c.channel.name)).toEqual(['toast']);
  });

  it('lists every problem at once, naming the path', () => {
    const problems = alertSettingsProblems({ dedupWindowMs: -1, email: { enabled: true, port: 0, triggers: ['kill-switch', 'nuke'] }, telegram: { enabled: true, minSeverity: 'loud' }, sms: {} });
    const text = problems.join('\n');
    expect(text).toMatch(/alerts\.dedupWindowMs/);
    expect(text).toMatch(/alerts\.email\.port/);
    expect(text).toMatch(/alerts\.email\.triggers\.1/);
    expect(text).toMatch(/alerts\.telegram\.minSeverity/);
    expect(text).toMatch(/sms/);
  });

  it('an enabled channel needs its addresses and its secret', () => {
    let err: unknown;
    try { parseAlertSettings({ email: { enabled: true, user: 'u' }, telegram: { enabled: true } }); } catch (e) { err = e; }
    expect(isTradelabError(err) && err.code === 'ALERTS_CONFIG_INVALID').toBe(true);
    const msg = (err as Error).message;
    for (const want of ['alerts.email.host', 'alerts.email.from', 'alerts.email.to', SMTP_PASSWORD_VAR, 'alerts.telegram.chatId', TELEGRAM_TOKEN_VAR]) expect(msg).toContain(want);
    expect(alertSettingsProblems({ telegram: { enabled: true, chatId: '1' } }, { telegramToken: new Secret('t0k3n-value') })).toEqual([]);
    // The server config's email and telegram sections pass as they are.
    expect(alertSettingsProblems({ email: { enabled: true, host: 'localhost', port: 587, secure: false, user: '', from: 'a@b.c', to: ['x@y.z'] }, telegram: { enabled: false, chatId: '' } })).toEqual([]);
  });

  it('secrets come from the environment or the secrets directory and never print', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-alert-secrets-'));
    try {
      writeFileSync(join(dir, TELEGRAM_TOKEN_VAR), 'file-token-123\n', { mode: 0o600 });
      writeFileSync(join(dir, SMTP_PASSWORD_VAR), 'file-pass\n', { mode: 0o600 });
      const s = loadAlertSecrets({ TRADELAB_SECRETS_DIR: dir, [SMTP_PASSWORD_VAR]: 'env-pass' });
      expect(s.smtpPassword?.reveal()).toBe('env-pass');
      expect(s.telegramToken?.reveal()).toBe('file-token-123');
      expect(JSON.stringify(s)).not.toMatch(/env-pass|file-token/);
      expect(inspect(s)).not.toMatch(/env-pass|file-token/);
      expect(loadAlertSecrets({})).toEqual({});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
