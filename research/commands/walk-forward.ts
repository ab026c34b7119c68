/**
 * `tradelab walk-forward`: optimise a grid on each training window, trade the next test window with the winner,
 * stitch the out-of-sample equity; saves results/<run-id>/ (manifest.json, folds.csv, stats.json, equity.arrow,
 * report.html). Prints per-fold IS vs OOS, parameter stability and the stitched statistics, or with --json exactly
 * `{ "manifest": …, "stats": … }`.
 */
import type { CliCommand, CliContext } from '../cli-context.ts';
import { codeVersion } from '../code-version.ts';
import { table } from '../format.ts';
import { toJson } from '../json.ts';
import { resolvePaths } from '../paths.ts';
import { STAT_LABELS, formatStat } from '../stat-labels.ts';
import { createProgress, jsonProgress } from '../sweep/progress.ts';
import { runWalkForward, type WalkForwardRun } from '../walk-forward/run-walk-forward.ts';
import { searchSpecFrom, sweepOptions, type SweepArgs } from './sweep.ts';

interface WalkForwardArgs extends SweepArgs { train: string; test: string; anchored: boolean }

function printWalkForward(run: WalkForwardRun, ctx: CliContext): void {
  const m = run.manifest;
  const names = m.grid.map((g) => g.name);
  const lbl = (k: string) => STAT_LABELS.find((l) => l.key === k);
  const fmt = (k: string, v: number) => { const l = lbl(k); return l ? formatStat(v, l.format) : String(v); };
  ctx.stdout(`\nWalk-forward ${m.strategy.ref} on ${m.data.exchange} ${m.data.symbol} ${m.data.timeframe}: train ${m.windows.train}, test ${m.windows.test}, ${m.windows.anchored ? 'anchored' : 'rolling'}, ${m.windows.folds} folds × ${m.combos.perFold} combinations\n\n`);
  const rows = run.folds.map((f) => [String(f.fold.k), `${f.testFrom.slice(0, 16)} .. ${f.testTo.slice(0, 16)}`, ...names.map((n) => String(f.params[n])),
    fmt(m.metric, f.inSample[m.metric]), fmt(m.metric, f.outOfSample[m.metric]), fmt('returnPct', f.outOfSample.returnPct), String(f.outOfSample.trades)]);
  ctx.stdout(table(rows, { header: ['fold', 'test window', ...names, `IS ${m.metric}`, `OOS ${m.metric}`, 'OOS return %', 'OOS trades'], align: ['r', 'l', ...names.map(() => 'r' as const), 'r', 'r', 'r', 'r'] }));
  ctx.stdout('\nParameter stability (winner per fold; CV = sample std / |mean|)\n');
  ctx.stdout(table(m.stability.map((s) => [s.name, s.values.join(' '), s.mean.toFixed(2), Number.isFinite(s.cv) ? s.cv.toFixed(3) : 'n/a']), { header: ['parameter', 'values', 'mean', 'CV'] }));
  ctx.stdout('\nStitched out-of-sample\n');
  ctx.stdout(table(STAT_LABELS.map(({ key, label, format }) => [label, formatStat(run.stats[key], format)]), { align: ['l', 'r'] }));
  if (run.dir) ctx.stdout(`\nResults: ${run.dir}\nReport:  ${run.dir}/report.html\n`);
}

export const walkForwardCommand: CliCommand = {
  register: (y, ctx, setExit) =>
    y.command(
      'walk-forward',
      'optimise on rolling (or anchored) training windows, trade each next test window with the winner, stitch the out-of-sample results',
      (b) => sweepOptions(b)
        .option('train', { type: 'string', describe: 'training window: 180d, 12h, 4w, 90m' })
        .option('test', { type: 'string', describe: 'test window that follows each training window: 30d, 1w ...' })
        .option('anchored', { type: 'boolean', default: false, describe: 'every training window starts at the first measured bar (growing) instead of rolling' })
        .demandOption('train', 'give the training window: --train 180d')
        .demandOption('test', 'give the test window: --test 30d'),
      async (argv) => {
        const a = argv as unknown as WalkForwardArgs;
        const paths = resolvePaths(ctx.env, ctx.cwd);
        const progress = a['progress-json'] ? jsonProgress(ctx, 'walk-forward') : createProgress(ctx, 'walk-forward');
        let run: WalkForwardRun;
        try {
          run = await runWalkForward({ ...searchSpecFrom(a), train: a.train, test: a.test, anchored: a.anchored }, {
            cwd: ctx.cwd, cacheDir: paths.cacheDir, resultsDir: paths.resultsDir, now: () => Date.now(), code: codeVersion(),
            onProgress: (p) => progress.update(p.done, p.total),
          });
        } finally {
          progress.stop();
        }
        if (a.json) ctx.stdout(toJson({ manifest: run.manifest, stats: run.stats }) + '\n');
        else printWalkForward(run, ctx);
        setExit(0);
      },
    ),
};
