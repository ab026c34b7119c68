/**
 * Secrets are never stored: no table has a column for them, and JSON written to the database is refused when
 * any of its keys looks like a credential (apiKey, secret, password, passphrase, privateKey, token...).
 */
import { usageError } from '../../engine/errors.ts';

const SECRET_KEY = /(api[-_]?key|secret|passw(or)?d|passphrase|private[-_]?key|token|credential)/i;

/** Throws STATE_SECRET_REFUSED when `value` holds a credential-like key (at any depth). */
export function assertNoSecrets(value: unknown, where: string, path = ''): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    value.forEach((v, k) => assertNoSecrets(v, where, `${path}[${k}]`));
    return;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (SECRET_KEY.test(k)) {
      throw usageError('STATE_SECRET_REFUSED', `${where}: refusing to store '${path ? `${path}.` : ''}${k}': credentials are never written to the database; keys come from the environment only`);
    }
    assertNoSecrets(v, where, path ? `${path}.${k}` : k);
  }
}

/** JSON text for a column, after the secrets check. */
export function safeJson(value: unknown, where: string): string {
  assertNoSecrets(value, where);
  return JSON.stringify(value ?? null);
}
