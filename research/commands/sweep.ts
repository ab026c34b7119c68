/**
 * `tradelab sweep`: run a strategy over a grid of parameters on cached or file candles (same data flags as
 * backtest), rank the combinations by a metric, and save results/<sweep-id>/ (results.parquet, manifest.json,
 * report.html; --save-top K adds full run folders of the best K). Prints the top table, or with --json exactly
 * `{ "manifest": …, "top": [...] }` on stdout. Progress goes to stderr.
 */
import type { Argv } from 'yargs';
import { parseParamPairs, type Stats } from '../../engine/index.ts';
import { SWEEP_MODES, type SweepMode } from '../../engine/sweep/index.ts';
import type { CliCommand, CliContext } from '../cli-context.ts';
import { codeVersion } from '../code-version.ts';
import { table } from '../format.ts';
import { toJson } from '../json.ts';
import { resolvePaths } from '../paths.ts';
import { STAT_LABELS, formatStat } from '../stat-labels.ts';
import { createProgress, jsonProgress } from '../sweep/progress.ts';
import { runSweep, type SweepRun } from '../sweep/run-sweep.ts';
import { resolveWorkers } from '../sweep/sweep-stats.ts';
import { backtestOptions, dataSpecFrom, fillConfigFrom, type BacktestArgs } from './backtest.ts';

export interface SweepArgs extends BacktestArgs {
  grid: string[]; 'progress-json': boolean; mode: SweepMode; samples?: number; seed: number; constraint?: string[]; metric: string; workers: string; top: number; 'save-top': number;
}

/** The options sweep and walk-forward share (on top of backtest's). */
export function sweepOptions<T>(y: Argv<T>) {
  return backtestOptions(y)
    .option('grid', { type: 'string', array: true, describe: 'swept parameter: name=start:stop:step (inclusive stop) or name=a,b,c (repeatable)' })
    .option('mode', { choices: SWEEP_MODES, default: 'product' as SweepMode, describe: 'product: every combination; zip: k-th values together; random: --samples N drawn with --seed' })
    .option('samples', { type: 'number', describe: 'random mode: number of combinations to draw' })
    .option('seed', { type: 'number', default: 0, describe: 'random mode: seed of the draw (reproducible)' })
    .option('constraint', { type: 'string', array: true, describe: "skip combinations where this is false, e.g. 'fast * 2 < slow' (repeatable; the strategy's own constraints always apply)" })
    .option('metric', { type: 'string', default: 'sharpe', describe: 'Stats field to rank by (higher is better; lower for volatility, drawdown durations, fees, skipped orders)' })
    .option('workers', { type: 'string', default: 'auto', describe: "worker threads: 'auto' = one per core; 1 runs in-process" })
    .option('progress-json', { type: 'boolean', default: false, describe: 'progress as JSON lines on stderr ({"progress":{"label","done","total"}}) instead of a bar' })
    .demandOption('strategy', 'name a strategy: --strategy sma-cross (see `tradelab strategies`)')
    .demandOption('grid', 'name at least one --grid, e.g. --grid fast=5:50:5 --grid slow=20:200:10');
}

/** The search part of a sweep or walk-forward spec (strategy, grid, mode, constraints, metric, data, fill), from parsed flags. */
export function searchSpecFrom(a: SweepArgs) {
  return {
    strategy: a.strategy, grids: a.grid, params: parseParamPairs(a.param ?? []), mode: a.mode, samples: a.samples, seed: a.seed,
    constraints: a.constraint ?? [], metric: a.metric, workers: resolveWorkers(a.workers), data: dataSpecFrom(a), from: a.from, to: a.to,
    fill: fillConfigFrom(a), gaps: a.gaps,
  };
}

export function printTop(run: SweepRun, ctx: CliContext, top: number): void {
  const m = run.manifest;
  const names = run.axes.map((a) => a.name);
  const extra: (keyof Stats)[] = (['returnPct', 'sharpe', 'maxDrawdownPct', 'trades', 'winRatePct'] as (keyof Stats)[]).filter((k) => k !== m.metric);
  const fmt = (k: keyof Stats, v: number) => { const l = STAT_LABELS.find((x) => x.key === k); return l ? formatStat(v, l.format) : String(v); };
  const rows = run.ranking.slice(0, top).map((r, k) => {
    const s = run.statsOf(r);
    return [String(k + 1), ...names.map((n) => String(run.params[r][n])), fmt(m.metric, s[m.metric]), ...extra.map((e) => fmt(e, s[e]))];
  });
  const c = m.combos;
  ctx.stdout(`\nSweep ${m.strategy.ref} on ${m.data.exchange} ${m.data.symbol} ${m.data.timeframe}, ${m.data.from} .. ${m.data.to} (${m.data.bars} bars)\n`);
  ctx.stdout(`Combinations: ${c.tried} tried, ${c.skipped} skipped (${c.skippedByStrategyConstraints} by the strategy's constraints, ${c.skippedByUserConstraints} by --constraint), mode ${m.mode}; ${m.workers} worker(s), ${m.elapsedMs} ms\n`);
  ctx.stdout(`\nTop ${rows.length} by ${m.metric} (${m.metricDirection})\n`);
  ctx.stdout(table(rows, { header: ['#', ...names, m.metric, ...extra], align: ['r', ...names.map(() => 'r' as const), 'r', ...extra.map(() => 'r' as const)] }));
  const p = m.plateau;
  ctx.stdout(`\nPlateau around the best (±1 step, ${p.neighbours} neighbours): mean ${fmt(m.metric, p.mean)} (drop ${p.meanDropPct.toFixed(1)} %), worst ${fmt(m.metric, p.worst)} (drop ${p.worstDropPct.toFixed(1)} %)\n`);
  const d = m.deflatedSharpe;
  if (d) ctx.stdout(`Deflated Sharpe of the best: ${d.dsr.toFixed(4)} (Sharpe ${d.sharpe.toFixed(3)} vs ${d.expectedMaxSharpe.toFixed(3)} expected from the best of ${d.trials} trials of noise)\n`);
  if (run.dir) ctx.stdout(`\nResults: ${run.dir}\nReport:  ${run.dir}/report.html\n`);
}

export const sweepCommand: CliCommand = {
  register: (y, ctx, setExit) =>
    y.command(
      'sweep',
      'run a strategy over a grid of parameters and save the ranked combinations in results/<sweep-id>/',
      (b) => sweepOptions(b)
        .option('json', { type: 'boolean', default: false, describe: 'print { manifest, top } as JSON and nothing else (top: the --top best rows with their params and stats)' })
        .option('top', { type: 'number', default: 10, describe: 'rows of the top table' })
        .option('save-top', { type: 'number', default: 0, describe: 'also write full backtest run folders for the best K combinations' }),
      async (argv) => {
        const a = argv as unknown as SweepArgs;
        const paths = resolvePaths(ctx.env, ctx.cwd);
        const progress = a['progress-json'] ? jsonProgress(ctx, 'sweep') : createProgress(ctx, 'sweep');
        let run: SweepRun;
        try {
          run = await runSweep({ ...searchSpecFrom(a), top: a.top, saveTop: a['save-top'] }, {
            cwd: ctx.cwd, cacheDir: paths.cacheDir, resultsDir: paths.resultsDir, now: () => Date.now(), code: codeVersion(),
            onProgress: (p) => progress.update(p.done, p.total),
          });
        } finally {
          progress.stop();
        }
        if (a.json) {
          const top = run.ranking.slice(0, a.top).map((r, k) => ({ rank: k + 1, row: r, params: run.params[r], stats: run.statsOf(r) }));
          ctx.stdout(toJson({ manifest: run.manifest, top }) + '\n');
        } else {
          printTop(run, ctx, a.top);
        }
        setExit(0);
      },
    ),
};
