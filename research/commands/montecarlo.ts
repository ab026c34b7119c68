/**
 * `tradelab montecarlo <run-dir-or-id> [--n 1000] [--mode reshuffle|bootstrap] [--seed 1] [--json]`: resample a
 * backtest run's closed trades N times and report the distribution of the final return and of the max drawdown
 * (percentiles 5, 25, 50, 75, 95). Writes montecarlo.json and montecarlo.html into the run folder; --json prints
 * montecarlo.json's content and nothing else. Exit 0, or 2 for bad usage (unknown run, no trades, bad --n).
 */
import type { CliCommand, CliContext } from '../cli-context.ts';
import { MONTE_CARLO_MODES, MONTE_CARLO_PERCENTILES, type MonteCarloMode } from '../../engine/checks/index.ts';
import { runMonteCarlo, type MonteCarloResult } from '../montecarlo/index.ts';
import { table } from '../format.ts';
import { toJson } from '../json.ts';
import { resolvePaths } from '../paths.ts';

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');

export function printMonteCarlo(r: MonteCarloResult, runDir: string, ctx: CliContext): void {
  ctx.stdout(`\nMonte Carlo (${r.mode}, ${r.n} samples, seed ${r.seed}) of ${r.trades} trades: ${r.strategy} ${r.market}\n\n`);
  const keys = MONTE_CARLO_PERCENTILES.map((p) => `p${p}`);
  const row = (label: string, d: MonteCarloResult['finalReturnPct'], obs: number) => [label, ...keys.map((k) => f2(d.percentiles[k])), f2(d.mean), f2(obs)];
  ctx.stdout(table([row('Final return [%]', r.finalReturnPct, r.observed.finalReturnPct), row('Max drawdown [%]', r.maxDrawdownPct, r.observed.maxDrawdownPct)],
    { header: ['', ...keys, 'mean', 'observed'], align: ['l', ...keys.map(() => 'r' as const), 'r', 'r'] }));
  ctx.stdout(`\n${r.note}\n`);
  ctx.stdout(`\nResults: ${runDir}/montecarlo.json\nReport:  ${runDir}/montecarlo.html\n`);
}

export const montecarloCommand: CliCommand = {
  register: (y, ctx, setExit) =>
    y.command(
      'montecarlo <run>',
      'reshuffle or bootstrap a backtest run\'s trades: distribution of final return and max drawdown',
      (b) => b
        .positional('run', { type: 'string', describe: 'a backtest run folder, or its run id under results/' })
        .option('n', { type: 'number', default: 1000, describe: 'number of samples' })
        .option('mode', { choices: MONTE_CARLO_MODES, default: 'reshuffle' as MonteCarloMode, describe: 'reshuffle the trade order, or bootstrap (draw trades with replacement)' })
        .option('seed', { type: 'number', default: 1, describe: 'seed of the PRNG' })
        .option('json', { type: 'boolean', default: false, describe: 'print montecarlo.json and nothing else' }),
      async (argv) => {
        const a = argv as unknown as { run: string; n: number; mode: MonteCarloMode; seed: number; json: boolean };
        const paths = resolvePaths(ctx.env, ctx.cwd);
        const { result, runDir } = await runMonteCarlo({ run: a.run, n: a.n, mode: a.mode, seed: a.seed },
          { cwd: ctx.cwd, resultsDir: paths.resultsDir, now: () => Date.now() });
        if (a.json) ctx.stdout(toJson(result) + '\n');
        else printMonteCarlo(result, runDir, ctx);
        setExit(0);
      },
    ),
};
