/**
 * The parity gate's result on disk: `tradelab parity` writes results/<stamp>-check-parity-<strategy>-<symbol>-<tf>/
 * parity.json (like `tradelab check lookahead` writes lookahead.json), so the promotion evidence of the server
 * (live/server/promotions.ts) finds it after a restart. What was compared (strategy, params, candles, fill model),
 * whether it is identical, and the first differences.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FillConfig } from '../../engine/sim/fill-config.ts';
import type { AnyStrategy } from '../../engine/strategy.ts';
import type { LoadedCandles } from '../../data/load-candles.ts';
import type { ParityReport } from '../runtime/parity.ts';

export const PARITY_SCHEMA = 'tradelab.check.parity/1';
/** Differences kept in the file (the total is always given). */
export const MAX_DIFFERENCES_KEPT = 100;

const iso = (t: number) => (Number.isFinite(t) ? new Date(t).toISOString() : null);
const stamp = (t: number) => new Date(t).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
const slug = (s: string) => s.replace(/[^A-Za-z0-9]+/g, '').toLowerCase();

/** The results folder of the CLI: TRADELAB_RESULTS, else results/ in the working directory. */
export function resultsDirOf(env: Readonly<Record<string, string | undefined>>, cwd: string): string {
  return resolve(cwd, env.TRADELAB_RESULTS || 'results');
}

export interface ParityResultInput {
  readonly strategy: AnyStrategy;
  readonly params: Readonly<Record<string, unknown>>;
  readonly loaded: LoadedCandles;
  readonly fill: FillConfig;
  readonly report: ParityReport;
  readonly now: number;
}

/** The document written to parity.json (and printed by `parity --json` with its checkId). */
export function parityDocument(x: ParityResultInput, checkId: string | null) {
  const f = x.loaded.frame;
  const first = x.loaded.startIndex;
  return {
    schema: PARITY_SCHEMA, checkId, createdAt: iso(x.now),
    strategy: { id: x.strategy.id, version: x.strategy.version, ref: x.strategy.ref },
    params: { ...x.params },
    data: {
      source: x.loaded.source, exchange: f.exchange, symbol: f.symbol, timeframe: f.timeframe,
      from: f.length > first ? iso(f.ts[first]) : null, to: f.length ? iso(f.ts[f.length - 1]) : null, bars: x.report.bars, contentHash: x.loaded.contentHash,
    },
    fill: { initialCash: x.fill.initialCash, feeRate: x.fill.feeRate, slippageBps: x.fill.slippageBps, fraction: x.fill.fraction },
    tolerance: x.report.tolerance,
    identical: x.report.identical,
    backtestFills: x.report.backtest.fills.length, replayFills: x.report.replay.fills.length,
    differencesTotal: x.report.differences.length,
    differences: x.report.differences.slice(0, MAX_DIFFERENCES_KEPT),
  };
}

/** Writes parity.json into a fresh folder under `resultsDir`; returns the folder's id and the document. */
export function writeParityResult(resultsDir: string, x: ParityResultInput): { checkId: string; dir: string; doc: ReturnType<typeof parityDocument> } {
  const f = x.loaded.frame;
  const base = `${stamp(x.now)}-check-parity-${x.strategy.id}-${slug(f.symbol || 'market')}-${f.timeframe || 'tf'}`;
  let id = base;
  for (let k = 2; existsSync(join(resultsDir, id)); k++) id = `${base}-${k}`;
  const dir = join(resultsDir, id);
  mkdirSync(dir, { recursive: true });
  const doc = parityDocument(x, id);
  const path = join(dir, 'parity.json');
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(doc, null, 2) + '\n');
  renameSync(tmp, path);
  return { checkId: id, dir, doc };
}
