// Where the real sample data lives: $TRADELAB_SAMPLE_DATA, else ../shared/data beside the repository.
// Tests read it in place; it is never copied into the repo.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SHARED_DATA = process.env.TRADELAB_SAMPLE_DATA
  ? resolve(process.env.TRADELAB_SAMPLE_DATA)
  : resolve(REPO_ROOT, '../shared/data');

/** Absolute path of a file under the shared data folder; throws a clear error when it is missing. */
export function sharedFile(rel: string): string {
  const p = resolve(SHARED_DATA, rel);
  if (!existsSync(p)) throw new Error(`sample data file not found: ${p} (set TRADELAB_SAMPLE_DATA to the shared/data folder)`);
  return p;
}

export const BTC_1H = 'djienne-3EMA_SRSI_ATR/BTC_USDT-1h.json';
export const ETH_1H = 'djienne-3EMA_SRSI_ATR/ETH_USDT-1h.json';
export const BTC_1M = 'andresciancio-freqtrade-docker-strategy/BTC_USDT-1m.json';
export const BTC_5M = 'nostalgiaforinfinity/BTC_USDT-5m.json';
