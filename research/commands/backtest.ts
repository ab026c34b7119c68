/**
 * `tradelab backtest`: one strategy over cached candles (--exchange/--symbol/--timeframe [--from --to]) or a
 * file (--data). Prints the configuration used beside the result, writes results/<run-id>/, and with --json prints
 * exactly `{ "manifest": …, "stats": … }` on stdout and nothing else.
 * Several markets (--symbols A,B with --exchange/--timeframe, or --data a.json,b.json / repeated --data): one run
 * folder each plus a summary folder (research/multi); --json then prints `{ "runs": [{ manifest, stats }], "average" }`.
 */
import type { Argv } from 'yargs';
import { DEFAULT_FILL_CONFIG, TIMEFRAMES, parseParamPairs, usageError, type FillConfig } from '../../engine/index.ts';
import type { CliCommand, CliContext } from '../cli-context.ts';
import { runBacktest, type BacktestRun, type DataSpec } from '../backtest.ts';
import { resolvePaths } from '../paths.ts';
import { codeVersion } from '../code-version.ts';
import { table } from '../format.ts';
import { STAT_LABELS, formatStat } from '../stat-labels.ts';
import { toJson } from '../json.ts';
import { marketSpecsFrom, printMulti, runMultiBacktest } from '../multi/index.ts';
import { handleOrderBacktest, orderOptions } from '../orders/index.ts';

export interface BacktestArgs {
  strategy: string; data?: string; exchange?: string; symbol?: string; timeframe?: string; from?: string; to?: string;
  param?: string[]; cash: number; 'fee-rate': number; 'slippage-bps': number; 'lot-size': number; 'min-notional': number;
  fraction: number; 'allow-short': boolean; 'close-at-end': boolean; gaps: 'error' | 'report' | 'ffill'; json: boolean;
}

/** Which candles: a file, or cached candles, and the range (shared by backtest and the checks). */
export function dataOptions<T>(y: Argv<T>) {
  return y
    .option('data', { type: 'string', describe: 'candle file: freqtrade JSON, CSV (date or timestamp column), ccxt OHLCV JSON' })
    .option('exchange', { type: 'string', describe: 'exchange id of cached candles (e.g. binance); with --data, labels the file' })
    .option('symbol', { type: 'string', describe: 'market symbol of cached candles (e.g. BTC/USDT); with --data, labels the file' })
    .option('timeframe', { type: 'string', describe: `candle timeframe: ${TIMEFRAMES.join(', ')}` })
    .option('from', { type: 'string', describe: 'first measured candle (UTC date or ISO time); warm-up bars are loaded before it' })
    .option('to', { type: 'string', describe: 'last measured candle (inclusive)' })
    .option('gaps', { choices: ['error', 'report', 'ffill'] as const, default: 'report' as const, describe: 'what to do with missing candles' });
}

/** The options shared by every command that runs a backtest (backtest, demo; later sweep and walk-forward). */
export function backtestOptions<T>(y: Argv<T>) {
  return dataOptions(y
    .option('strategy', { type: 'string', describe: 'built-in strategy id (see `tradelab strategies`) or path of a .ts file default-exporting defineStrategy(...)' }))
    .option('param', { type: 'string', array: true, describe: 'strategy parameter name=value (repeatable)' })
    .option('cash', { type: 'number', default: DEFAULT_FILL_CONFIG.initialCash, describe: 'initial cash in the quote currency' })
    .option('fee-rate', { type: 'number', default: DEFAULT_FILL_CONFIG.feeRate, describe: 'fee on each fill, as a fraction of its notional (0.001 = 0.1 %)' })
    .option('slippage-bps', { type: 'number', default: DEFAULT_FILL_CONFIG.slippageBps, describe: 'adverse slippage on each fill, in basis points' })
    .option('lot-size', { type: 'number', default: DEFAULT_FILL_CONFIG.lotSize, describe: 'round order sizes down to a multiple of this (1 = whole units, 0.00001 for BTC; 0 = none)' })
    .option('min-notional', { type: 'number', default: DEFAULT_FILL_CONFIG.minNotional, describe: 'orders below this notional are skipped and counted' })
    .option('fraction', { type: 'number', default: DEFAULT_FILL_CONFIG.fraction, describe: 'share of equity deployed on each entry, in (0, 1]' })
    .option('allow-short', { type: 'boolean', default: false, describe: 'allow short positions (research); otherwise a short signal means flat' })
    .option('close-at-end', { type: 'boolean', default: false, describe: 'close a position still open at the end and count it as a trade' })
    .option('json', { type: 'boolean', default: false, describe: 'print { manifest, stats } as JSON and nothing else' });
}

export function fillConfigFrom(a: Pick<BacktestArgs, 'cash' | 'fee-rate' | 'slippage-bps' | 'lot-size' | 'min-notional' | 'fraction' | 'allow-short' | 'close-at-end'>): FillConfig {
  const nums: [string, number][] = [['--cash', a.cash], ['--fee-rate', a['fee-rate']], ['--slippage-bps', a['slippage-bps']],
    ['--lot-size', a['lot-size']], ['--min-notional', a['min-notional']], ['--fraction', a.fraction]];
  for (const [flag, v] of nums) if (!Number.isFinite(v)) throw usageError('BAD_NUMBER', `${flag} must be a number`);
  return {
    initialCash: a.cash, feeRate: a['fee-rate'], slippageBps: a['slippage-bps'], lotSize: a['lot-size'],
    minNotional: a['min-notional'], fraction: a.fraction, allowShort: a['allow-short'], closeAtEnd: a['close-at-end'],
  };
}

export function dataSpecFrom(a: Pick<BacktestArgs, 'data' | 'exchange' | 'symbol' | 'timeframe'>): DataSpec {
  if (a.timeframe !== undefined && !(TIMEFRAMES as readonly string[]).includes(a.timeframe)) {
    throw usageError('UNKNOWN_TIMEFRAME', `unknown timeframe '${a.timeframe}'; allowed: ${TIMEFRAMES.join(', ')}`);
  }
  if (a.data) {
    // with a file, --exchange/--symbol/--timeframe label its candles (else inferred from a name like BTC_USDT-1h.json)
    return { file: a.data, ...(a.exchange ? { exchange: a.exchange } : {}), ...(a.symbol ? { symbol: a.symbol } : {}), ...(a.timeframe ? { timeframe: a.timeframe } : {}) };
  }
  const missing = (['exchange', 'symbol', 'timeframe'] as const).filter((k) => !a[k]);
  if (missing.length) {
    throw usageError('NO_DATA', `say which candles to use: --data <file>, or --exchange, --symbol and --timeframe of cached candles (missing: ${missing.map((m) => '--' + m).join(', ')}; see \`tradelab data ls\`)`);
  }
  return { exchange: a.exchange!, symbol: a.symbol!, timeframe: a.timeframe! };
}

/** The terminal summary: the configuration used, then the result, then where the run was written. */
export function printRun(run: BacktestRun, ctx: CliContext): void {
  const m = run.manifest;
  const cfg: string[][] = [
    ['strategy', m.strategy.ref + (m.strategy.source.kind === 'file' ? ` (${m.strategy.source.path})` : '')],
    ['params', Object.entries(m.params).map(([k, v]) => `${k}=${String(v)}`).join(' ') || '(none)'],
    ['market', `${m.data.exchange} ${m.data.symbol} ${m.data.timeframe}`],
    ['data', `${m.data.source.kind} ${m.data.source.path}`],
    ['range', `${m.data.from} .. ${m.data.to} (${m.data.bars} bars, ${m.data.warmupBars} warm-up)`],
    ['gaps', `${m.data.gaps.count} gaps, ${m.data.gaps.missingBars} missing bars (policy ${m.data.gapPolicy})`],
    ['fill model', `next open, slippage ${m.fillModel.slippageBps} bps, fee rate ${m.fees.feeRate}`],
    ['sizing', `cash ${m.initialCash}, fraction ${m.fillModel.fraction}, lot ${m.fillModel.lotSize || 'none'}, ${m.fillModel.allowShort ? 'long+short' : 'long only'}`],
  ];
  ctx.stdout('\nConfiguration\n' + table(cfg));
  const rows = STAT_LABELS.map(({ key, label, format }) => [label, formatStat(run.stats[key], format)]);
  ctx.stdout('\nResult\n' + table(rows, { align: ['l', 'r'] }));
  if (run.runDir) ctx.stdout(`\nResults: ${run.runDir}\nReport:  ${run.runDir}/report.html\n`);
}

export const backtestCommand: CliCommand = {
  register: (y, ctx, setExit) =>
    y.command(
      'backtest',
      'run a strategy over candles and save a reproducible result in results/<run-id>/',
      (b) => orderOptions(backtestOptions(b))
        .option('symbols', { type: 'string', describe: 'several markets, comma-separated (BTC/USDT,ETH/USDT): cached with --exchange/--timeframe, or labels of several --data files (a.json,b.json or repeated --data); each gets its run folder, plus a summary with the average' })
        .demandOption('strategy', 'name a strategy: --strategy sma-cross (see `tradelab strategies`)'),
      async (argv) => {
        const a = argv as unknown as BacktestArgs & { symbols?: string };
        const paths = resolvePaths(ctx.env, ctx.cwd);
        const markets = marketSpecsFrom(a, dataSpecFrom);
        const deps = { cwd: ctx.cwd, cacheDir: paths.cacheDir, resultsDir: paths.resultsDir, now: () => Date.now(), code: codeVersion() };
        // order strategies (grid, range-grid, dca, twap, vwap): every market in ONE run sharing one budget (research/orders)
        if (await handleOrderBacktest(argv, markets, deps, ctx)) { setExit(0); return; }
        const common = { strategy: a.strategy, params: parseParamPairs(a.param ?? []), from: a.from, to: a.to, fill: fillConfigFrom(a), gaps: a.gaps };
        if (markets.length > 1 || a.symbols !== undefined) {
          // several markets: { runs: [{ manifest, stats }], average } (average: mean of each statistic over the markets)
          const multi = await runMultiBacktest({ ...common, markets }, deps);
          if (a.json) ctx.stdout(toJson({ runs: multi.runs.map((r) => ({ manifest: r.manifest, stats: r.stats })), average: multi.average }) + '\n');
          else printMulti(multi, ctx);
          setExit(0);
          return;
        }
        const run = await runBacktest({ ...common, data: markets[0] }, deps);
        if (a.json) ctx.stdout(toJson({ manifest: run.manifest, stats: run.stats }) + '\n');
        else printRun(run, ctx);
        setExit(0);
      },
    ),
};
