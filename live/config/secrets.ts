/**
 * Server secrets: only from the environment or from a file of the same name in TRADELAB_SECRETS_DIR (never from
 * YAML, never from the database). Values are wrapped in `Secret` (prints as <redacted>).
 */
import { join } from 'node:path';
import { Secret, realCredentialsDeps, type CredentialsDeps } from '../secrets/index.ts';

/** Every server secret by environment variable name, and what it is for. */
export const SERVER_SECRETS = Object.freeze({
  TRADELAB_ADMIN_PASSWORD: 'bootstrap admin password (creates user "admin" on first start when no user exists)',
  TRADELAB_SMTP_PASSWORD: 'SMTP password for email alerts',
  TRADELAB_TELEGRAM_TOKEN: 'Telegram bot token for alerts',
  TRADELAB_WEBHOOK_SECRET: 'shared secret of the TradingView webhook',
} as const);

export type ServerSecretName = keyof typeof SERVER_SECRETS;

export interface SecretEntry {
  readonly value: Secret;
  /** 'env' or the secrets file path: never the value. */
  readonly source: string;
}

/** Reads one secret: the environment wins over TRADELAB_SECRETS_DIR/<name>. undefined when unset or empty. */
export function readSecret(name: string, env: Readonly<Record<string, string | undefined>>, deps: CredentialsDeps = realCredentialsDeps): SecretEntry | undefined {
  const v = env[name];
  if (v !== undefined && v.trim() !== '') return { value: new Secret(v.trim()), source: 'env' };
  const dir = env.TRADELAB_SECRETS_DIR;
  if (!dir) return undefined;
  const path = join(dir, name);
  const text = deps.readFile(path);
  if (text === undefined || text.trim() === '') return undefined;
  return { value: new Secret(text.trim()), source: path };
}

/** The server secrets that are set. */
export function loadServerSecrets(env: Readonly<Record<string, string | undefined>>, deps: CredentialsDeps = realCredentialsDeps): Partial<Record<ServerSecretName, SecretEntry>> {
  const out: Partial<Record<ServerSecretName, SecretEntry>> = {};
  for (const name of Object.keys(SERVER_SECRETS) as ServerSecretName[]) {
    const e = readSecret(name, env, deps);
    if (e) out[name] = e;
  }
  return out;
}
