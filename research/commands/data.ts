/**
 * `tradelab data ls|import|verify`: the local candle cache ($TRADELAB_HOME/cache).
 *   ls      coverage per series: exchange, symbol, timeframe, from, to, bars, gaps.
 *   import  read a candle file (freqtrade/ccxt JSON, CSV, pandas JSON), validate it, merge it into the cache.
 *   verify  re-read every (or the selected) series: validation problems and gaps. Exit 1 when any series has
 *           invalid candles (a backtest would refuse them); gaps alone exit 0 (they are reported, and the
 *           backtest's --gaps policy decides).
 * `--json` on each prints one JSON document on stdout.
 */
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import {
  assertValid, coverage, coverageGaps, describeGaps, describeProblems, findGaps, frameGaps, importCandles, listCoverage, listSeriesKeys,
  loadRange, timeframeFromSteps, validateFrame, writeCandles, type SeriesKey,
} from '../../data/index.ts';
import { TIMEFRAMES, closeMatches, timeframeMs, usageError } from '../../engine/index.ts';
import type { CliCommand, CliContext } from '../cli-context.ts';
import { isoShort } from '../dates.ts';
import { table } from '../format.ts';
import { toJson } from '../json.ts';
import { resolvePaths } from '../paths.ts';

const seriesName = (k: SeriesKey) => `${k.exchange} ${k.symbol} ${k.timeframe}`;
const when = (ts: number) => (Number.isFinite(ts) ? isoShort(ts) : '-');

async function ls(ctx: CliContext, json: boolean): Promise<void> {
  const { cacheDir } = resolvePaths(ctx.env, ctx.cwd);
  const all = await listCoverage(cacheDir);
  if (json) { ctx.stdout(toJson({ cacheDir, series: all }) + '\n'); return; }
  if (all.length === 0) {
    ctx.stdout(`the cache (${cacheDir}) is empty; add candles with 'tradelab fetch' or 'tradelab data import <file>'\n`);
    return;
  }
  ctx.stdout(table(all.map((c) => [c.exchange, c.symbol, c.timeframe, when(c.fromTs), when(c.toTs), String(c.bars), c.gaps ? `${c.gaps} (${c.missingBars} missing)` : '0']),
    { header: ['exchange', 'symbol', 'timeframe', 'from', 'to', 'bars', 'gaps'], align: ['l', 'l', 'l', 'l', 'l', 'r', 'r'] }));
}

interface ImportArgs { file: string; exchange: string; symbol?: string; timeframe?: string; json: boolean }

async function importFile(ctx: CliContext, a: ImportArgs): Promise<void> {
  const { cacheDir } = resolvePaths(ctx.env, ctx.cwd);
  if (a.timeframe !== undefined) timeframeMs(a.timeframe);
  const { frame, format } = await importCandles(resolve(ctx.cwd, a.file), { exchange: a.exchange, symbol: a.symbol, timeframe: a.timeframe });
  if (frame.symbol === 'unknown') throw usageError('SYMBOL_REQUIRED', `cannot tell the symbol of ${a.file} from its name; pass --symbol (e.g. BTC/USDT)`);
  if (!frame.timeframe) throw usageError('TIMEFRAME_REQUIRED', `cannot tell the timeframe of ${a.file} (its median step is not one of ${TIMEFRAMES.join(', ')}); pass --timeframe`);
  const stepTf = timeframeFromSteps(frame.ts);
  if (stepTf && stepTf !== frame.timeframe) {
    throw usageError('TIMEFRAME_MISMATCH', `${a.file} holds ${stepTf} candles (median step) but the timeframe is ${frame.timeframe}; pass --timeframe ${stepTf}`);
  }
  assertValid(frame, a.file);
  const fileGaps = frameGaps(frame);
  const w = await writeCandles(cacheDir, frame);
  const cov = await coverage(cacheDir, frame);
  const cache = { bars: cov.bars, from: cov.from, to: cov.to, gaps: cov.gaps, missingBars: cov.missingBars, dir: cov.dir };
  if (a.json) {
    ctx.stdout(toJson({ file: a.file, format, exchange: frame.exchange, symbol: frame.symbol, timeframe: frame.timeframe, rows: frame.length,
      from: frame.length ? isoShort(frame.ts[0]) : null, to: frame.length ? isoShort(frame.ts[frame.length - 1]) : null,
      added: w.added, changed: w.changed, unchanged: w.unchanged, fileGaps, cache }) + '\n');
    return;
  }
  ctx.stdout(`${a.file} (${format}): ${frame.length} candles of ${seriesName(frame)}`
    + (frame.length ? ` from ${isoShort(frame.ts[0])} to ${isoShort(frame.ts[frame.length - 1])}; ${describeGaps(fileGaps, frame.timeframe)}` : '') + '\n');
  ctx.stdout(`added ${w.added} new candles, replaced ${w.changed} changed, ${w.unchanged} already cached\n`);
  ctx.stdout(`cache: ${cov.bars} bars from ${when(cov.fromTs)} to ${when(cov.toTs)}; ${describeGaps(coverageGaps(cov), frame.timeframe)}\n`);
}

interface VerifyArgs { exchange?: string; symbol?: string; timeframe?: string; json: boolean }

async function verify(ctx: CliContext, a: VerifyArgs, setExit: (c: number) => void): Promise<void> {
  const { cacheDir } = resolvePaths(ctx.env, ctx.cwd);
  const all = await listSeriesKeys(cacheDir);
  const picked = all.filter((k) => (!a.exchange || k.exchange === a.exchange) && (!a.symbol || k.symbol === a.symbol) && (!a.timeframe || k.timeframe === a.timeframe));
  if (picked.length === 0) {
    const wanted = [a.exchange, a.symbol, a.timeframe].filter(Boolean).join(' ');
    const names = all.map(seriesName);
    const near = wanted ? closeMatches(wanted, names) : [];
    throw usageError('NOT_IN_CACHE', all.length === 0
      ? `the cache (${cacheDir}) is empty; nothing to verify`
      : `no cached series matches '${wanted}'; cached: ${(near.length ? near : names.slice(0, 10)).join(', ')}`);
  }
  const reports = [];
  for (const k of picked) {
    const f = await loadRange(cacheDir, { ...k, validate: false });
    const v = validateFrame(f);
    const gaps = findGaps(f.ts, timeframeMs(k.timeframe));
    reports.push({ ...k, bars: f.length, from: f.length ? isoShort(f.ts[0]) : null, to: f.length ? isoShort(f.ts[f.length - 1]) : null, valid: v.ok, problems: v.problems, gaps });
  }
  const invalid = reports.filter((r) => !r.valid).length;
  if (invalid) setExit(1);
  if (a.json) { ctx.stdout(toJson({ cacheDir, ok: invalid === 0, series: reports }) + '\n'); return; }
  for (const r of reports) {
    ctx.stdout(`${seriesName(r)}: ${r.bars} bars from ${r.from ?? '-'} to ${r.to ?? '-'}; ${r.valid ? 'valid' : 'INVALID'}; ${describeGaps(r.gaps, r.timeframe)}\n`);
    for (const line of describeProblems({ ok: r.valid, rows: r.bars, problems: r.problems })) ctx.stdout(`  ${line}\n`);
    for (const g of r.gaps.gaps.slice(0, 20)) ctx.stdout(`  gap from ${isoShort(g.fromTs)}: ${g.missing} missing\n`);
    if (r.gaps.count > 20) ctx.stdout(`  ... ${r.gaps.count - 20} more gaps (--json lists all)\n`);
  }
  ctx.stdout(invalid ? `${invalid} of ${reports.length} series have invalid candles\n` : `${reports.length} series verified: all candles valid\n`);
}

const seriesOptions = (b: Argv) => b
  .option('exchange', { type: 'string', describe: 'ccxt exchange id, e.g. binance' })
  .option('symbol', { type: 'string', describe: 'market, e.g. BTC/USDT' })
  .option('timeframe', { type: 'string', describe: 'candle length, e.g. 1h' });

export const dataCommand: CliCommand = {
  register: (y, ctx, setExit) =>
    y.command('data', 'the local candle cache: ls, import, verify', (d) => d
      .command('ls', 'list cached series: exchange, symbol, timeframe, from, to, bars, gaps',
        (b) => b.option('json', { type: 'boolean', default: false, describe: 'print the coverage (with every contiguous range) as JSON' }),
        async (argv) => { await ls(ctx, argv.json); })
      .command('import <file>', 'validate a candle file (freqtrade/ccxt JSON, CSV, pandas JSON) and merge it into the cache',
        (b) => seriesOptions(b)
          .positional('file', { type: 'string', demandOption: true, describe: 'candle file' })
          .demandOption('exchange', 'name the exchange the candles come from (--exchange binance)')
          .option('json', { type: 'boolean', default: false, describe: 'print what was added as JSON' })
          .example('tradelab data import BTC_USDT-1h.json --exchange binance', 'symbol and timeframe from the freqtrade file name'),
        async (argv) => { await importFile(ctx, { file: argv.file, exchange: argv.exchange!, symbol: argv.symbol, timeframe: argv.timeframe, json: argv.json }); })
      .command('verify', 'check cached series for invalid candles (exit 1) and gaps (reported)',
        (b) => seriesOptions(b).option('json', { type: 'boolean', default: false, describe: 'print the reports as JSON' }),
        async (argv) => { await verify(ctx, { exchange: argv.exchange, symbol: argv.symbol, timeframe: argv.timeframe, json: argv.json }, setExit); })
      .demandCommand(1, 'name a data command: ls, import or verify')),
};
