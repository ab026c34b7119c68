/**
 * `tradelab fetch --exchange binance --symbol BTC/USDT --timeframe 1h --from 2021-01-01 [--to ...] [--json]`:
 * download candles with ccxt into the cache ($TRADELAB_HOME/cache), resuming after what is cached. Progress: a
 * bar on a terminal, plain lines otherwise (stderr). The summary goes to stdout (--json: one JSON object).
 */
import cliProgress from 'cli-progress';
import type { Exchange } from 'ccxt';
import { coverage, coverageGaps, createExchange, describeGaps, fetchCandles, realFetchDeps, type FetchDeps, type FetchProgress } from '../../data/index.ts';
import { timeframeMs } from '../../engine/index.ts';
import type { CliCommand, CliContext } from '../cli-context.ts';
import { parseDate, isoShort } from '../dates.ts';
import { toJson } from '../json.ts';
import { resolvePaths } from '../paths.ts';

export interface FetchCommandDeps {
  createExchange: (id: string) => Exchange;
  fetchDeps: FetchDeps;
}

/** Progress on stderr: a cli-progress bar on a terminal, a plain line per 10 % (and per retry) otherwise. */
function progressReporter(ctx: CliContext, label: string): { update: (p: FetchProgress) => void; stop: () => void } {
  if (ctx.isTTY) {
    const stream = { isTTY: true, columns: 100, write: (s: string) => { ctx.stderr(s); return true; } };
    const bar = new cliProgress.SingleBar({
      stream: stream as unknown as NodeJS.WritableStream, format: `${label} [{bar}] {percentage}% | {fetched} candles | {at}`, hideCursor: false, clearOnComplete: false,
    }, cliProgress.Presets.shades_classic);
    bar.start(100, 0, { fetched: 0, at: '' });
    return {
      update: (p) => {
        if (p.retry) ctx.stderr(`\nretry ${p.retry.attempt} in ${p.retry.delayMs} ms after ${p.retry.error}\n`);
        bar.update(Math.round(p.fraction * 100), { fetched: p.fetched, at: isoShort(Math.min(p.since, p.endTs)) });
      },
      stop: () => bar.stop(),
    };
  }
  let next = 0.1;
  return {
    update: (p) => {
      if (p.retry) { ctx.stderr(`${label}: retry ${p.retry.attempt} in ${p.retry.delayMs} ms after ${p.retry.error}\n`); return; }
      if (p.fraction >= next) {
        ctx.stderr(`${label}: ${Math.round(p.fraction * 100)}% (${p.fetched} candles, up to ${isoShort(Math.min(p.since, p.endTs))})\n`);
        while (next <= p.fraction) next += 0.1;
      }
    },
    stop: () => undefined,
  };
}

export function makeFetchCommand(deps: FetchCommandDeps = { createExchange, fetchDeps: realFetchDeps }): CliCommand {
  return {
    register: (y, ctx) =>
      y.command(
        'fetch',
        'download candles with ccxt into the local cache (resumes where the cache stops)',
        (b) => b
          .option('exchange', { type: 'string', demandOption: true, describe: 'ccxt exchange id, e.g. binance' })
          .option('symbol', { type: 'string', demandOption: true, describe: 'market, e.g. BTC/USDT or BTC/USDT:USDT' })
          .option('timeframe', { type: 'string', demandOption: true, describe: 'candle length, e.g. 1m, 1h, 1d' })
          .option('from', { type: 'string', demandOption: true, describe: 'first candle (UTC date, e.g. 2021-01-01)' })
          .option('to', { type: 'string', describe: 'last candle, inclusive (default: the last closed candle)' })
          .option('limit', { type: 'number', describe: 'candles per request (default: the exchange maximum)' })
          .option('json', { type: 'boolean', default: false, describe: 'print the summary as JSON' })
          .example('tradelab fetch --exchange binance --symbol BTC/USDT --timeframe 1h --from 2021-01-01', ''),
        async (argv) => {
          timeframeMs(argv.timeframe);
          const from = parseDate(argv.from, '--from');
          const to = argv.to === undefined ? undefined : parseDate(argv.to, '--to');
          const { cacheDir } = resolvePaths(ctx.env, ctx.cwd);
          const ex = deps.createExchange(argv.exchange);
          const label = `${ex.id} ${argv.symbol} ${argv.timeframe}`;
          const progress = progressReporter(ctx, label);
          let result;
          try {
            result = await fetchCandles({ exchange: ex, symbol: argv.symbol, timeframe: argv.timeframe, from, to, cacheDir, limit: argv.limit, onProgress: progress.update }, deps.fetchDeps);
          } finally {
            progress.stop();
          }
          const cov = await coverage(cacheDir, { exchange: ex.id, symbol: argv.symbol, timeframe: argv.timeframe });
          const cache = { bars: cov.bars, from: cov.from, to: cov.to, gaps: cov.gaps, missingBars: cov.missingBars, dir: cov.dir };
          if (argv.json) {
            ctx.stdout(toJson({ ...result, start: isoShort(result.startTs), end: isoShort(result.endTs), cache }) + '\n');
            return;
          }
          if (result.resumedFrom === null) {
            ctx.stdout(`${label}: already cached from ${isoShort(result.startTs)} to ${isoShort(result.endTs)}; nothing to fetch\n`);
          } else {
            ctx.stdout(`${label}: fetched ${result.fetched} candles in ${result.pages} request${result.pages === 1 ? '' : 's'} from ${isoShort(result.resumedFrom)}`
              + ` (${result.added} new, ${result.changed} changed${result.retries ? `, ${result.retries} retries` : ''})\n`);
          }
          ctx.stdout(`cache: ${cov.bars} bars from ${isoShort(cov.fromTs)} to ${isoShort(cov.toTs)}; ${describeGaps(coverageGaps(cov), argv.timeframe)}\n`);
        },
      ),
  };
}

export const fetchCommand: CliCommand = makeFetchCommand();
