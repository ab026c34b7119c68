// Where tradelab keeps things, resolved once at the entry point from the environment and working directory.
import { resolve } from 'node:path';

export interface Paths {
  /** TRADELAB_HOME: database, logs, lock files, candle cache. Default `.tradelab/` in the working directory. */
  readonly home: string;
  /** Candle cache (Parquet, per exchange/symbol/timeframe): TRADELAB_CACHE, default `<home>/cache` (as the server's config). */
  readonly cacheDir: string;
  /** One folder per run. Default `results/` in the working directory (TRADELAB_RESULTS overrides). */
  readonly resultsDir: string;
}

export function resolvePaths(env: Readonly<Record<string, string | undefined>>, cwd: string): Paths {
  const home = resolve(cwd, env.TRADELAB_HOME || '.tradelab');
  return {
    home,
    cacheDir: env.TRADELAB_CACHE ? resolve(cwd, env.TRADELAB_CACHE) : resolve(home, 'cache'),
    resultsDir: resolve(cwd, env.TRADELAB_RESULTS || 'results'),
  };
}
