/**
 * `tradelab check lookahead|warmup`: bias checks of a strategy on real candles (the data flags of `backtest`).
 *
 *   check lookahead --strategy … [--param k=v] [--cuts 50] [--seed 1] [data flags] [--json]
 *       Runs the strategy on the full data and on data cut (and, separately, changed) after many seeded cut
 *       points; any decision or indicator value at or before a cut that differs is a look-ahead, named by the
 *       indicator or the rule and the bar. When decisions pass, the cuts also run through the simulator with real
 *       positions (--no-simulate skips it). Writes results/<id>/lookahead.json.
 *       Exit 0 clean, 1 look-ahead found, 2 bad usage.
 *   check warmup --strategy … [--param k=v] [--tolerance 1e-6] [--starts 8] [data flags] [--json]
 *       For each indicator, the bars of history its values need to be stable within the relative tolerance,
 *       against the strategy's declared warm-up. Writes results/<id>/warmup.json.
 *       Exit 0 when the declared warm-up covers every indicator, 1 when it is shorter than one of them or an
 *       indicator never settles within the data (a warning, printed with the warm-up to declare), 2 bad usage.
 * `--json` prints the result document and nothing else.
 */
import type { Argv } from 'yargs';
import { parseParamPairs } from '../../engine/index.ts';
import type { CliCommand, CliContext } from '../cli-context.ts';
import { runLookaheadCheck, runWarmupCheck, type LookaheadCheckResult, type WarmupCheckResult } from '../checks/index.ts';
import { codeVersion } from '../code-version.ts';
import { table } from '../format.ts';
import { toJson } from '../json.ts';
import { resolvePaths } from '../paths.ts';
import { dataOptions, dataSpecFrom, type BacktestArgs } from './backtest.ts';

type CheckArgs = Pick<BacktestArgs, 'strategy' | 'data' | 'exchange' | 'symbol' | 'timeframe' | 'from' | 'to' | 'param' | 'gaps' | 'json'>;

function checkOptions<T>(y: Argv<T>) {
  return dataOptions(y
    .option('strategy', { type: 'string', describe: 'built-in strategy id (see `tradelab strategies`) or path of a .ts file default-exporting defineStrategy(...)' }))
    .option('param', { type: 'string', array: true, describe: 'strategy parameter name=value (repeatable)' })
    .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON and nothing else' })
    .demandOption('strategy', 'name a strategy: --strategy sma-cross (see `tradelab strategies`)');
}

function deps(ctx: CliContext) {
  const paths = resolvePaths(ctx.env, ctx.cwd);
  return { cwd: ctx.cwd, cacheDir: paths.cacheDir, resultsDir: paths.resultsDir, now: () => Date.now(), code: codeVersion() };
}

const specOf = (a: CheckArgs) => ({ strategy: a.strategy, params: parseParamPairs(a.param ?? []), data: dataSpecFrom(a), from: a.from, to: a.to, gaps: a.gaps });
const paramText = (p: Record<string, unknown>) => Object.entries(p).map(([k, v]) => `${k}=${String(v)}`).join(' ') || 'no parameters';
const day = (s: string | null) => (s ? s.slice(0, 16).replace('T', ' ') : '-');
const codeText = (x: number | null) => (x === null ? '-' : x === 1 ? 'long' : x === -1 ? 'short' : x === 0 ? 'flat' : String(x));

function header(r: LookaheadCheckResult | WarmupCheckResult): string {
  const d = r.data;
  return `${r.strategy.ref} (${paramText(r.params)}) on ${d.exchange} ${d.symbol} ${d.timeframe}, ${day(d.from)} .. ${day(d.to)} (${d.bars} bars)\n`;
}

export function printLookahead(r: LookaheadCheckResult, dir: string | null, ctx: CliContext): void {
  ctx.stdout(`\nLook-ahead check: ${header(r)}`);
  ctx.stdout(`${r.cuts.tested} cuts from bar ${r.cuts.first} (seed ${r.cuts.seed}), data after each cut truncated and perturbed; ` +
    `paths ${r.paths.join(' + ')}${r.simulated ? ' + simulated (positions, long and short)' : ''}; indicators ${r.indicators.join(', ') || '(none)'}\n\n`);
  if (r.clean) {
    ctx.stdout(`CLEAN: no decision${r.simulated ? ', fill' : ''} and no indicator value at or before a cut changed when the data after it was removed or changed.\n`);
  } else {
    ctx.stdout(`LOOK-AHEAD FOUND: ${r.findingsTotal} findings at ${r.cutsWithFindings} of ${r.cuts.tested} cuts.\n\n`);
    ctx.stdout(table(r.causes.map((c) => [c.blame, String(c.findings), `${c.firstBar} (${day(c.firstBarTime)})`, `${c.firstCut}`]),
      { header: ['cause', 'findings', 'first bar', 'at cut'], align: ['l', 'r', 'l', 'r'] }));
    ctx.stdout('\nFirst findings\n');
    ctx.stdout(table(r.findings.slice(0, 10).map((f) => [String(f.cut), f.variant, f.path ?? '(indicator only)', `${f.bar} (${day(f.barTime)})`,
      codeText(f.full), codeText(f.altered), f.blame]),
    { header: ['cut', 'variant', 'path', 'bar', 'full', 'cut run', 'blamed'] }));
    for (const f of r.findings) if (f.detail) ctx.stdout(`\nsimulator at cut ${f.cut} (${f.variant}): ${f.detail}\n`);
    ctx.stdout('\nA decision or indicator at a bar may use rows up to that bar only; fix the blamed indicator or rule.\n');
  }
  if (dir) ctx.stdout(`\nResult: ${dir}/lookahead.json\n`);
}

export function printWarmup(r: WarmupCheckResult, dir: string | null, ctx: CliContext): void {
  ctx.stdout(`\nWarm-up check: ${header(r)}`);
  ctx.stdout(`relative tolerance ${r.tolerance}, ${r.starts.length} restarts from bar ${r.starts[0]} to bar ${r.starts[r.starts.length - 1]}\n\n`);
  ctx.stdout(table(r.indicators.map((x) => [x.name, x.needed === null ? 'never settles' : String(x.needed), String(x.worstStart), x.maxRelDiff.toExponential(2)]),
    { header: ['indicator', 'needs (bars)', 'worst start', 'max rel. diff'], align: ['l', 'r', 'r', 'r'] }));
  ctx.stdout(`\ndeclared warm-up: ${r.declared} bars; longest need: ${r.longest === null ? 'never settles within the data' : `${r.longest} bars`}\n`);
  if (r.ok) ctx.stdout('OK: the declared warm-up covers every indicator.\n');
  else if (r.longest === null) ctx.stdout('WARNING: an indicator never settles within the data at this tolerance (cumulative, or the tolerance is too tight); no warm-up is long enough.\n');
  else ctx.stdout(`WARNING: the declared warm-up is shorter than the longest need; decisions in the first ${r.longest - r.declared} bars after it read unsettled values. Declare warmup >= ${r.longest} (or loosen --tolerance).\n`);
  if (dir) ctx.stdout(`\nResult: ${dir}/warmup.json\n`);
}

export const checkCommand: CliCommand = {
  register: (y, ctx, setExit) =>
    y.command('check', 'bias checks of a strategy: lookahead, warmup', (c) => c
      .command('lookahead', 'prove decisions and indicators never read bars after the one decided on (exit 1 when they do)',
        (b) => checkOptions(b)
          .option('cuts', { type: 'number', default: 50, describe: 'number of cut points (seeded, one per equal stretch of the data)' })
          .option('seed', { type: 'number', default: 1, describe: 'seed of the cut points and of the perturbed futures' })
          .option('simulate', { type: 'boolean', default: true, describe: 'when decisions pass, also run the cuts through the simulator (rules that peek only while in a position); --no-simulate skips it' }),
        async (argv) => {
          const a = argv as unknown as CheckArgs & { cuts: number; seed: number; simulate: boolean };
          const { result, resultDir } = await runLookaheadCheck({ ...specOf(a), cuts: a.cuts, seed: a.seed, simulate: a.simulate }, deps(ctx));
          if (a.json) ctx.stdout(toJson(result) + '\n');
          else printLookahead(result, resultDir, ctx);
          setExit(result.clean ? 0 : 1);
        })
      .command('warmup', 'bars of history each indicator needs to be stable, against the declared warm-up (exit 1 when shorter)',
        (b) => checkOptions(b)
          .option('tolerance', { type: 'number', default: 1e-6, describe: 'relative tolerance for values to count as stable' })
          .option('starts', { type: 'number', default: 8, describe: 'number of restart offsets over the first half of the data' }),
        async (argv) => {
          const a = argv as unknown as CheckArgs & { tolerance: number; starts: number };
          const { result, resultDir } = await runWarmupCheck({ ...specOf(a), tolerance: a.tolerance, starts: a.starts }, deps(ctx));
          if (a.json) ctx.stdout(toJson(result) + '\n');
          else printWarmup(result, resultDir, ctx);
          setExit(result.ok ? 0 : 1);
        })
      .demandCommand(1, 'name a check: lookahead or warmup')),
};
