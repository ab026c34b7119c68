/**
 * runMultiBacktest(spec, deps): the same strategy, parameters, range and fill model over several markets (symbols
 * of the cache or data files). Each market is a normal backtest with its own run folder; a summary folder
 * (results/<stamp>-multi-<strategy>-<timeframe>/: summary.json, summary.csv) lists each market's statistics and
 * their average: the arithmetic mean over markets of each statistic, counting only markets where it is finite
 * (a profit factor of +Infinity or a NaN Sharpe is left out of that statistic's mean; `averageOver` says how many
 * markets each mean covers when fewer than all).
 */
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { usageError, type Stats } from '../../engine/index.ts';
import { runBacktest, type BacktestDeps, type BacktestRun, type BacktestSpec, type DataSpec } from '../backtest.ts';
import { createResultDir, writeAtomic } from '../checks/result-dir.ts';
import { iso } from '../dates.ts';
import { toJson } from '../json.ts';
import { resolveStrategy } from '../strategy-registry.ts';

export interface MultiBacktestSpec extends Omit<BacktestSpec, 'data'> {
  readonly markets: readonly DataSpec[];
}

export type AverageStats = Record<keyof Stats, number>;

export interface MultiBacktestRun {
  readonly runs: readonly BacktestRun[];
  readonly average: AverageStats;
  /** Markets whose value entered each mean, for the statistics where some market's value was not finite. */
  readonly averageOver: Partial<Record<keyof Stats, number>>;
  readonly summaryId: string | null;
  readonly summaryDir: string | null;
}

export const AVERAGE_NOTE = 'average = arithmetic mean over the markets of each statistic, counting only markets where it is finite';

/** Mean over the runs of each statistic, over finite values only (NaN when no market has a finite value). */
export function averageStats(stats: readonly Stats[]): { average: AverageStats; averageOver: Partial<Record<keyof Stats, number>> } {
  const keys = Object.keys(stats[0] ?? {}) as (keyof Stats)[];
  const average = {} as AverageStats;
  const averageOver: Partial<Record<keyof Stats, number>> = {};
  for (const k of keys) {
    let sum = 0, m = 0;
    for (const s of stats) if (Number.isFinite(s[k])) { sum += s[k]; m++; }
    average[k] = m ? sum / m : NaN;
    if (m < stats.length) averageOver[k] = m;
  }
  return { average, averageOver };
}

/** `exchange symbol timeframe`, plus the file name when two markets would read the same. */
export function marketLabels(runs: readonly BacktestRun[]): string[] {
  const base = runs.map((r) => `${r.manifest.data.exchange} ${r.manifest.data.symbol} ${r.manifest.data.timeframe}`);
  return base.map((b, k) => (base.indexOf(b) !== base.lastIndexOf(b) ? `${b} (${basename(runs[k].manifest.data.source.path)})` : b));
}

export const SUMMARY_COLUMNS: readonly (keyof Stats)[] = ['returnPct', 'buyHoldReturnPct', 'cagrPct', 'sharpe', 'sortino', 'maxDrawdownPct', 'trades', 'winRatePct', 'profitFactor', 'exposurePct', 'feesPaid'];

function summaryCsv(labels: readonly string[], runs: readonly BacktestRun[], average: AverageStats): string {
  const keys = Object.keys(average) as (keyof Stats)[];
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const num = (x: number) => (Number.isFinite(x) ? String(x) : '');
  const rows = runs.map((r, k) => [q(labels[k]), r.runId, ...keys.map((key) => num(r.stats[key]))].join(','));
  return [['market', 'run_id', ...keys].join(','), ...rows, ['average', '', ...keys.map((key) => num(average[key]))].join(',')].join('\n') + '\n';
}

export async function runMultiBacktest(spec: MultiBacktestSpec, deps: BacktestDeps): Promise<MultiBacktestRun> {
  if (spec.markets.length === 0) throw usageError('NO_MARKETS', 'name at least one market: --symbols A,B with --exchange and --timeframe, or --data a.json,b.json');
  // Fail on usage errors before any run is written: the strategy, its parameters, the files.
  const { strategy } = await resolveStrategy(spec.strategy, deps.cwd);
  strategy.resolveParams(spec.params);
  for (const m of spec.markets) {
    if ('file' in m && !existsSync(resolve(m.file))) throw usageError('DATA_FILE_NOT_FOUND', `data file not found: ${resolve(m.file)}`);
  }
  const runs: BacktestRun[] = [];
  for (const market of spec.markets) runs.push(await runBacktest({ ...spec, data: market }, deps));
  const { average, averageOver } = averageStats(runs.map((r) => r.stats));

  let summaryId: string | null = null, summaryDir: string | null = null;
  if (deps.write !== false) {
    const first = runs[0].manifest;
    const made = createResultDir(deps.resultsDir, deps.now(), `multi-${strategy.id}-${first.data.timeframe}`);
    summaryId = made.id; summaryDir = made.dir;
    const labels = marketLabels(runs);
    const summary = {
      schema: 'tradelab.multi/1', summaryId, kind: 'multi-backtest', createdAt: iso(deps.now()),
      strategy: first.strategy, params: first.params,
      range: { from: spec.from ?? null, to: spec.to ?? null }, fillModel: first.fillModel, fees: { feeRate: first.fees.feeRate }, initialCash: first.initialCash,
      markets: runs.map((r, k) => ({ market: labels[k], runId: r.runId, runDir: r.runDir, data: r.manifest.data.source, contentHash: r.manifest.data.contentHash, stats: r.stats })),
      average, averageOver, averageNote: AVERAGE_NOTE,
      code: deps.code,
    };
    writeAtomic(join(summaryDir, 'summary.json'), toJson(summary) + '\n');
    writeAtomic(join(summaryDir, 'summary.csv'), summaryCsv(labels, runs, average));
  }
  return { runs, average, averageOver, summaryId, summaryDir };
}
