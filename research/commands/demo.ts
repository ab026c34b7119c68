/**
 * `npm run demo` → `tradelab demo`: a backtest of sma-cross on a year of real BTC/USDT 1h candles, printing the
 * statistics table and the path of the HTML report. With the network, the year is fetched from Binance's public
 * endpoint into the cache; without it (CI, this sandbox) the sample file under TRADELAB_SAMPLE_DATA (default
 * ../shared/data beside the repository) is used. The demo always says which.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_FILL_CONFIG, usageError } from '../../engine/index.ts';
import { createExchange, fetchCandles, loadCandles, realFetchDeps } from '../../data/index.ts';
import type { CliCommand, CliContext } from '../cli-context.ts';
import { runBacktest, type DataSpec } from '../backtest.ts';
import { resolvePaths } from '../paths.ts';
import { codeVersion } from '../code-version.ts';
import { printRun } from './backtest.ts';
import { toJson } from '../json.ts';

const YEAR_MS = 365 * 86_400_000;
const SAMPLE_FILE = 'djienne-3EMA_SRSI_ATR/BTC_USDT-1h.json';

/** The sample data folder: TRADELAB_SAMPLE_DATA, else ../shared/data beside the repository when it exists. */
export function sampleDataDir(env: CliContext['env']): { dir: string; how: string } | undefined {
  if (env.TRADELAB_SAMPLE_DATA) return { dir: resolve(env.TRADELAB_SAMPLE_DATA), how: 'TRADELAB_SAMPLE_DATA' };
  const beside = resolve(import.meta.dirname, '../../../shared/data');
  return existsSync(beside) ? { dir: beside, how: 'the shared/data folder beside the repository' } : undefined;
}

async function tryNetwork(ctx: CliContext, cacheDir: string, now: number): Promise<DataSpec | undefined> {
  try {
    const ex = createExchange('binance');
    ex.timeout = 10_000;
    let lastPct = 0;
    ctx.stderr('demo: fetching a year of BTC/USDT 1h candles from binance ...\n');
    await fetchCandles({
      exchange: ex, symbol: 'BTC/USDT', timeframe: '1h', from: now - YEAR_MS - 400 * 3_600_000, cacheDir, maxRetries: 1,
      onProgress: (p) => {
        const pct = Math.floor(p.fraction * 100);
        if (pct >= lastPct + 10) { lastPct = pct; ctx.stderr(`demo: fetching binance BTC/USDT 1h ${pct}%\n`); }
      },
    }, { ...realFetchDeps, now: () => now });
    return { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' };
  } catch (e) {
    ctx.stderr(`demo: no network access to binance (${e instanceof Error ? e.message.split('\n')[0] : String(e)})\n`);
    return undefined;
  }
}

export const demoCommand: CliCommand = {
  register: (y, ctx, setExit) =>
    y.command(
      'demo',
      'backtest sma-cross on a year of real BTC/USDT 1h candles (fetched, or the sample data when offline)',
      (b) => b
        .option('offline', { type: 'boolean', default: false, describe: 'skip the download and use the sample data' })
        .option('json', { type: 'boolean', default: false, describe: 'print { manifest, stats } as JSON' }),
      async (argv) => {
        const paths = resolvePaths(ctx.env, ctx.cwd);
        const now = Date.now();
        let data: DataSpec | undefined = argv.offline ? undefined : await tryNetwork(ctx, paths.cacheDir, now);
        let from: number | undefined;
        let to: number | undefined;
        if (data) {
          ctx.stderr('demo: using a year of BTC/USDT 1h candles fetched from binance into the cache\n');
          to = now - 3_600_000;
          from = to - YEAR_MS;
        } else {
          const sample = sampleDataDir(ctx.env);
          if (!sample) {
            throw usageError('NO_SAMPLE_DATA', 'the demo needs either the network or sample data: set TRADELAB_SAMPLE_DATA to the shared/data folder (see README)');
          }
          const file = resolve(sample.dir, SAMPLE_FILE);
          if (!existsSync(file)) throw usageError('NO_SAMPLE_DATA', `sample file not found: ${file} (from ${sample.how})`);
          ctx.stderr(`demo: offline, using the sample file ${file} (from ${sample.how}): Binance BTC/USDT 1h, its last year\n`);
          data = { file, exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' };
          // the last 365 days of the file
          const probe = await loadCandles({ file }, { warmupBars: 0 }, 'report');
          to = probe.frame.ts[probe.frame.length - 1];
          from = to - YEAR_MS;
        }
        const run = await runBacktest({
          strategy: 'sma-cross', params: {}, data, from, to,
          fill: { ...DEFAULT_FILL_CONFIG, lotSize: 0.00001 }, gaps: 'report',
        }, { cwd: ctx.cwd, cacheDir: paths.cacheDir, resultsDir: paths.resultsDir, now: () => now, code: codeVersion() });
        if (argv.json) ctx.stdout(toJson({ manifest: run.manifest, stats: run.stats }) + '\n');
        else printRun(run, ctx);
        setExit(0);
      },
    ),
};
