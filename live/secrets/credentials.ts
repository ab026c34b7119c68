/**
 * Exchange API credentials, read only from the environment or from files in a directory that the environment
 * names (never from a bot's config or the database). The entry point passes `process.env`; nothing below it
 * reads the environment.
 *
 *   TRADELAB_<EXCHANGE>_API_KEY, TRADELAB_<EXCHANGE>_SECRET, TRADELAB_<EXCHANGE>_PASSWORD, TRADELAB_<EXCHANGE>_UID
 *     (<EXCHANGE> is the ccxt id upper-cased, e.g. TRADELAB_BINANCEUS_API_KEY)
 *   TRADELAB_SECRETS_DIR=/run/secrets
 *     one file per key, named like the variable (e.g. /run/secrets/TRADELAB_BINANCE_SECRET), trailing newline
 *     ignored; a variable set in the environment wins over its file.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TradelabError } from '../../engine/errors.ts';
import { Secret } from './secret.ts';

export interface ExchangeCredentials {
  readonly apiKey: Secret;
  readonly secret: Secret;
  readonly password?: Secret;
  readonly uid?: Secret;
}

export type CredentialField = 'apiKey' | 'secret' | 'password' | 'uid';

const SUFFIX: Record<CredentialField, string> = { apiKey: 'API_KEY', secret: 'SECRET', password: 'PASSWORD', uid: 'UID' };

/** The environment variable that holds one credential of an exchange, e.g. TRADELAB_BINANCE_API_KEY. */
export function credentialVar(exchangeId: string, field: CredentialField): string {
  return `TRADELAB_${exchangeId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${SUFFIX[field]}`;
}

export interface CredentialsResult {
  /** undefined when neither an API key nor a secret is configured (public market data only). */
  readonly credentials: ExchangeCredentials | undefined;
  /** Where each value came from ('env' or the file path): never the value. */
  readonly sources: Partial<Record<CredentialField, string>>;
  /** E.g. a secrets file readable by group or others. */
  readonly warnings: readonly string[];
}

export interface CredentialsDeps {
  readFile: (path: string) => string | undefined;
  /** File mode bits, for the permission warning; undefined when unknown. */
  fileMode: (path: string) => number | undefined;
}

export const realCredentialsDeps: CredentialsDeps = {
  readFile: (path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new TradelabError('SECRETS_UNREADABLE', 'config', `cannot read secrets file ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  },
  fileMode: (path) => {
    try {
      return statSync(path).mode;
    } catch {
      return undefined;
    }
  },
};

/**
 * Credentials for `exchangeId` from `env` (and TRADELAB_SECRETS_DIR). An API key without a secret (or the
 * reverse) is a config error naming the missing variable; neither means "no credentials" (public data only).
 */
export function loadExchangeCredentials(
  exchangeId: string,
  env: Readonly<Record<string, string | undefined>>,
  deps: CredentialsDeps = realCredentialsDeps,
): CredentialsResult {
  const dir = env.TRADELAB_SECRETS_DIR;
  const sources: Partial<Record<CredentialField, string>> = {};
  const warnings: string[] = [];
  const read = (field: CredentialField): Secret | undefined => {
    const name = credentialVar(exchangeId, field);
    const fromEnv = env[name];
    if (fromEnv !== undefined && fromEnv.trim() !== '') {
      sources[field] = 'env';
      return new Secret(fromEnv.trim());
    }
    if (dir === undefined || dir === '') return undefined;
    const path = join(dir, name);
    const text = deps.readFile(path);
    if (text === undefined || text.trim() === '') return undefined;
    const mode = deps.fileMode(path);
    if (mode !== undefined && (mode & 0o077) !== 0) {
      warnings.push(`secrets file ${path} is readable by group or others (mode ${(mode & 0o777).toString(8)}); run chmod 600 on it`);
    }
    sources[field] = path;
    return new Secret(text.trim());
  };
  const apiKey = read('apiKey'), secret = read('secret'), password = read('password'), uid = read('uid');
  if (apiKey === undefined && secret === undefined) {
    return { credentials: undefined, sources, warnings };
  }
  if (apiKey === undefined || secret === undefined) {
    const missing = credentialVar(exchangeId, apiKey === undefined ? 'apiKey' : 'secret');
    throw new TradelabError('INCOMPLETE_CREDENTIALS', 'config',
      `credentials for ${exchangeId} are incomplete: ${missing} is not set. Set it in the environment` +
      `${dir ? ` or put it in the file ${join(dir, missing)}` : ' (or in a file of the directory named by TRADELAB_SECRETS_DIR)'}.`,
      { details: { exchange: exchangeId, missing } });
  }
  const credentials: ExchangeCredentials = {
    apiKey, secret,
    ...(password === undefined ? {} : { password }),
    ...(uid === undefined ? {} : { uid }),
  };
  return { credentials, sources, warnings };
}
