import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { TradelabError } from '../../engine/errors.ts';
import { credentialVar, loadExchangeCredentials, type CredentialsDeps } from './credentials.ts';
import { REDACTED, Secret, redactor } from './secret.ts';

const KEY = 'AKIAexamplekey1234567890';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

describe('Secret', () => {
  it('prints as <redacted> in every form, and reveals only on request', () => {
    const s = new Secret(KEY);
    const forms = [String(s), `${s}`, s + '', JSON.stringify({ s }), JSON.stringify([s]), inspect(s), inspect({ nested: { s } }, { depth: 5 }),
      inspect(s, { showHidden: true }), JSON.stringify({ ...s }), Object.keys(s).join(','), JSON.stringify(Object.entries(s))];
    for (const f of forms) expect(f).not.toContain(KEY);
    expect(String(s)).toBe(REDACTED);
    expect(JSON.stringify({ s })).toBe('{"s":"<redacted>"}');
    expect(s.reveal()).toBe(KEY);
    expect(s.length).toBe(KEY.length);
  });

  it('redactor removes every value from a text, and ignores too-short values', () => {
    const r = redactor([new Secret(KEY), new Secret(SECRET), undefined, new Secret('abc')]);
    expect(r(`key=${KEY}&sig=${SECRET} and ${KEY} again, abc stays`)).toBe('key=<redacted>&sig=<redacted> and <redacted> again, abc stays');
    expect(redactor([])('unchanged')).toBe('unchanged');
  });
});

describe('loadExchangeCredentials', () => {
  const noFiles: CredentialsDeps = { readFile: () => undefined, fileMode: () => undefined };

  it('names the variables TRADELAB_<EXCHANGE>_<FIELD>', () => {
    expect(credentialVar('binanceus', 'apiKey')).toBe('TRADELAB_BINANCEUS_API_KEY');
    expect(credentialVar('coinbase', 'secret')).toBe('TRADELAB_COINBASE_SECRET');
    expect(credentialVar('kucoin', 'password')).toBe('TRADELAB_KUCOIN_PASSWORD');
  });

  it('reads from the environment', () => {
    const r = loadExchangeCredentials('bybit', { TRADELAB_BYBIT_API_KEY: KEY, TRADELAB_BYBIT_SECRET: `${SECRET}\n` }, noFiles);
    expect(r.credentials?.apiKey.reveal()).toBe(KEY);
    expect(r.credentials?.secret.reveal()).toBe(SECRET);
    expect(r.credentials?.password).toBeUndefined();
    expect(r.sources).toEqual({ apiKey: 'env', secret: 'env' });
    expect(JSON.stringify(r)).not.toContain(KEY);
    expect(inspect(r, { depth: 5 })).not.toContain(SECRET);
  });

  it('reads files of the directory named by TRADELAB_SECRETS_DIR; the environment wins; loose permissions warn', () => {
    const files: Record<string, string> = {
      '/run/secrets/TRADELAB_COINBASE_API_KEY': `${KEY}\n`,
      '/run/secrets/TRADELAB_COINBASE_SECRET': `${SECRET}\n`,
      '/run/secrets/TRADELAB_COINBASE_PASSWORD': 'from-file-pass\n',
    };
    const deps: CredentialsDeps = { readFile: (p) => files[p], fileMode: (p) => (p.endsWith('SECRET') ? 0o100644 : 0o100600) };
    const r = loadExchangeCredentials('coinbase', { TRADELAB_SECRETS_DIR: '/run/secrets', TRADELAB_COINBASE_PASSWORD: 'env-pass' }, deps);
    expect(r.credentials?.apiKey.reveal()).toBe(KEY);
    expect(r.credentials?.secret.reveal()).toBe(SECRET);
    expect(r.credentials?.password?.reveal()).toBe('env-pass');
    expect(r.sources).toEqual({ apiKey: '/run/secrets/TRADELAB_COINBASE_API_KEY', secret: '/run/secrets/TRADELAB_COINBASE_SECRET', password: 'env' });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/TRADELAB_COINBASE_SECRET is readable by group or others \(mode 644\); run chmod 600/);
  });

  it('none configured: no credentials (public data only)', () => {
    expect(loadExchangeCredentials('mexc', {}, noFiles).credentials).toBeUndefined();
  });

  it('a key without its secret is a config error naming the missing variable, never the value', () => {
    let err: unknown;
    try { loadExchangeCredentials('binance', { TRADELAB_BINANCE_API_KEY: KEY }, noFiles); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(TradelabError);
    expect(err).toMatchObject({ code: 'INCOMPLETE_CREDENTIALS', family: 'config' });
    expect((err as Error).message).toContain('TRADELAB_BINANCE_SECRET is not set');
    expect((err as Error).message).not.toContain(KEY);
  });
});

describe('loadExchangeCredentials with real files', () => {
  it('reads a secrets directory on disk and checks permissions', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tradelab-secrets-'));
    writeFileSync(join(dir, 'TRADELAB_MEXC_API_KEY'), `${KEY}\n`);
    writeFileSync(join(dir, 'TRADELAB_MEXC_SECRET'), SECRET);
    chmodSync(join(dir, 'TRADELAB_MEXC_API_KEY'), 0o600);
    chmodSync(join(dir, 'TRADELAB_MEXC_SECRET'), 0o640);
    const r = loadExchangeCredentials('mexc', { TRADELAB_SECRETS_DIR: dir });
    expect(r.credentials?.apiKey.reveal()).toBe(KEY);
    expect(r.credentials?.secret.reveal()).toBe(SECRET);
    expect(r.warnings).toEqual([`secrets file ${join(dir, 'TRADELAB_MEXC_SECRET')} is readable by group or others (mode 640); run chmod 600 on it`]);
    expect(loadExchangeCredentials('bybit', { TRADELAB_SECRETS_DIR: dir }).credentials).toBeUndefined();
  });
});
