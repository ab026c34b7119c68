/**
 * runMonteCarlo(spec, deps): Monte Carlo over the closed trades of a backtest run folder (manifest.json +
 * trades.csv). Trades become returns on the closed-trade equity at their entry, are reshuffled or bootstrapped N
 * times with a seeded PRNG (engine/checks/montecarlo.ts), and the distributions of the final return and the max
 * drawdown are summarised by percentiles (5, 25, 50, 75, 95). Writes montecarlo.json and montecarlo.html into the
 * run folder (a later run with other options replaces them).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  compoundPath, distribution, monteCarloTrades, percentileRank, tradeReturnsFromPnl, validateMonteCarlo,
  type Distribution, type MonteCarloMode,
} from '../../engine/checks/index.ts';
import { closeMatches, usageError } from '../../engine/index.ts';
import type { Manifest } from '../backtest.ts';
import { writeAtomic } from '../checks/result-dir.ts';
import { iso } from '../dates.ts';
import { toJson } from '../json.ts';
import { renderMonteCarloReport } from './report.ts';

export interface MonteCarloSpec {
  /** A run folder path, or a run id under resultsDir (a unique prefix of one is enough). */
  readonly run: string;
  readonly n: number;
  readonly mode: MonteCarloMode;
  readonly seed: number;
}

export interface MonteCarloDeps {
  readonly cwd: string;
  readonly resultsDir: string;
  readonly now: () => number;
  /** Write montecarlo.json and montecarlo.html into the run folder (default true). */
  readonly write?: boolean;
}

export const RESHUFFLE_NOTE = 'reshuffling only reorders the same trades: the product of (1 + r) is the same in every order, so the final return ' +
  'cannot change (its spread is rounding only); only path-dependent quantities such as the max drawdown vary. Bootstrap draws trades with ' +
  'replacement, so the final return varies too.';

export const DRAWDOWN_NOTE = 'Drawdowns are measured on closed-trade equity (one mark per closed trade, not bar by bar), so they miss the dips inside trades and are usually shallower than the run\'s bar-by-bar maxDrawdownPct.';

/** The run folder named by `ref`: an existing folder path, else `<resultsDir>/<ref>`, else the one run id starting with `ref`. */
export function resolveRunDir(ref: string, cwd: string, resultsDir: string): string {
  const asPath = resolve(cwd, ref);
  if (existsSync(asPath) && statSync(asPath).isDirectory()) return asPath;
  const inResults = join(resultsDir, ref);
  if (existsSync(inResults) && statSync(inResults).isDirectory()) return inResults;
  const ids = existsSync(resultsDir) ? readdirSync(resultsDir).filter((d) => existsSync(join(resultsDir, d, 'manifest.json'))) : [];
  const prefixed = ids.filter((d) => d.startsWith(ref));
  if (ref && prefixed.length === 1) return join(resultsDir, prefixed[0]);
  if (prefixed.length > 1) {
    throw usageError('AMBIGUOUS_RUN', `'${ref}' starts ${prefixed.length} run ids in ${resultsDir}: ${prefixed.slice(0, 5).join(', ')}${prefixed.length > 5 ? ', …' : ''}; give more of the id`);
  }
  const near = closeMatches(ref, ids);
  throw usageError('RUN_NOT_FOUND', `no run folder '${ref}' (neither a folder nor a run id in ${resultsDir}).` +
    (near.length ? ` Did you mean ${near.map((x) => `'${x}'`).join(' or ')}?` : '') + ' Pass a backtest run folder or its id (see the Results: line of `tradelab backtest`).');
}

/** Split one CSV line (RFC 4180 quoting). */
function csvCells(line: string): string[] {
  const out: string[] = [];
  let cur = '', q = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (q) {
      if (ch === '"') { if (line[i + 1] === '"') { cur += '"'; i++; } else q = false; } else cur += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') { out.push(cur); cur = ''; } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** The pnl column of a run's trades.csv, in trade order. */
export function readTradePnl(path: string): Float64Array {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) throw usageError('BAD_TRADES_FILE', `${path} is empty; expected a header line with a pnl column`);
  const head = csvCells(lines[0]);
  const col = head.indexOf('pnl');
  if (col < 0) throw usageError('BAD_TRADES_FILE', `${path} has no pnl column (columns: ${head.join(', ')})`);
  const pnl = new Float64Array(lines.length - 1);
  for (let k = 1; k < lines.length; k++) {
    const cell = csvCells(lines[k])[col];
    const v = cell === undefined || cell === '' ? NaN : Number(cell);
    if (!Number.isFinite(v)) throw usageError('BAD_TRADES_FILE', `${path} line ${k + 1}: pnl '${cell ?? ''}' is not a number`);
    pnl[k - 1] = v;
  }
  return pnl;
}

export interface MonteCarloResult {
  readonly schema: 'tradelab.montecarlo/1';
  readonly runId: string;
  readonly createdAt: string;
  readonly strategy: string;
  readonly market: string;
  readonly mode: MonteCarloMode;
  readonly n: number;
  readonly seed: number;
  readonly trades: number;
  readonly initialCash: number;
  readonly tradeReturn: string;
  readonly observed: { readonly finalReturnPct: number; readonly maxDrawdownPct: number; readonly finalReturnRankPct: number; readonly maxDrawdownRankPct: number };
  readonly finalReturnPct: Distribution;
  readonly maxDrawdownPct: Distribution;
  readonly note: string;
}

export async function runMonteCarlo(spec: MonteCarloSpec, deps: MonteCarloDeps): Promise<{ result: MonteCarloResult; runDir: string; samples: { finalReturnPct: Float64Array; maxDrawdownPct: Float64Array } }> {
  validateMonteCarlo({ n: spec.n, mode: spec.mode, seed: spec.seed });
  const runDir = resolveRunDir(spec.run, deps.cwd, deps.resultsDir);
  const manifestPath = join(runDir, 'manifest.json'), tradesPath = join(runDir, 'trades.csv');
  if (!existsSync(manifestPath) || !existsSync(tradesPath)) {
    throw usageError('NOT_A_RUN', `${runDir} is not a backtest run folder: it needs manifest.json and trades.csv`);
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  } catch (e) {
    throw usageError('NOT_A_RUN', `${manifestPath} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (manifest.kind !== 'backtest' || !(manifest.initialCash > 0)) {
    throw usageError('NOT_A_RUN', `${manifestPath} is not a backtest manifest (kind '${String(manifest.kind)}'); Monte Carlo runs on a backtest's trades`);
  }
  const pnl = readTradePnl(tradesPath);
  if (pnl.length === 0) throw usageError('NO_TRADES', `run ${manifest.runId} has no closed trades; Monte Carlo needs at least one`);
  const r = tradeReturnsFromPnl(pnl, manifest.initialCash);
  const samples = monteCarloTrades(r, { n: spec.n, mode: spec.mode, seed: spec.seed });
  const observed = compoundPath(r);
  const result: MonteCarloResult = {
    schema: 'tradelab.montecarlo/1',
    runId: manifest.runId,
    createdAt: iso(deps.now()),
    strategy: manifest.strategy.ref,
    market: `${manifest.data.exchange} ${manifest.data.symbol} ${manifest.data.timeframe}`,
    mode: spec.mode, n: spec.n, seed: spec.seed,
    trades: pnl.length,
    initialCash: manifest.initialCash,
    tradeReturn: 'r_k = pnl_k / (initialCash + sum of earlier pnl): each closed trade\'s return on the closed-trade equity it was taken with; samples compound them from the initial cash',
    observed: {
      finalReturnPct: observed.finalReturnPct, maxDrawdownPct: observed.maxDrawdownPct,
      finalReturnRankPct: percentileRank(samples.finalReturnPct, observed.finalReturnPct),
      maxDrawdownRankPct: percentileRank(samples.maxDrawdownPct, observed.maxDrawdownPct),
    },
    finalReturnPct: distribution(samples.finalReturnPct),
    maxDrawdownPct: distribution(samples.maxDrawdownPct),
    note: `${spec.mode === 'reshuffle' ? RESHUFFLE_NOTE : 'Bootstrap draws trades with replacement, so the final return and the drawdown both vary (reshuffling would leave the final return unchanged).'} ${DRAWDOWN_NOTE}`,
  };
  if (deps.write !== false) {
    writeAtomic(join(runDir, 'montecarlo.json'), toJson(result) + '\n');
    writeAtomic(join(runDir, 'montecarlo.html'), renderMonteCarloReport(result, samples));
  }
  return { result, runDir, samples };
}
