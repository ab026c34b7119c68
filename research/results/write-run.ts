/**
 * The run folder, a reproducible artefact (CONVENTIONS §10): manifest.json (what exactly was run), stats.json
 * (computed once, by engine's computeStats), trades.csv, fills.csv, equity.arrow (Arrow IPC file: ts, equity,
 * drawdownPct, position, close) and report.html. Files are written to a temporary name and renamed, so a
 * crash never leaves a half-written file under its final name.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import type { CandleFrame, Indicators, SimResult, Stats, Trade, Fill } from '../../engine/index.ts';
import type { Manifest } from '../backtest.ts';
import { toJson } from '../json.ts';
import { iso } from '../dates.ts';
import { renderBacktestReport } from '../report/backtest-report.ts';

export interface RunArtefacts {
  readonly manifest: Manifest;
  readonly stats: Stats;
  readonly sim: SimResult;
  readonly frame: CandleFrame;
  readonly indicators: Indicators;
}

function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

const num = (x: number) => (Number.isFinite(x) ? String(x) : '');

export function tradesCsv(trades: readonly Trade[]): string {
  const head = 'n,side,entry_time,exit_time,entry_bar,exit_bar,bars_held,size,entry_price,exit_price,entry_fee,exit_fee,pnl,return_pct,entry_reason,exit_reason';
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const rows = trades.map((t, k) => [k + 1, t.side, iso(t.entryTs), iso(t.exitTs), t.entryBar, t.exitBar, t.barsHeld, num(t.size),
    num(t.entryPrice), num(t.exitPrice), num(t.entryFee), num(t.exitFee), num(t.pnl), num(t.returnPct), q(t.entryReason), q(t.exitReason)].join(','));
  return [head, ...rows].join('\n') + '\n';
}

export function fillsCsv(fills: readonly Fill[]): string {
  const head = 'time,bar,side,price,size,fee,reason';
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return [head, ...fills.map((f) => [iso(f.ts), f.bar, f.side, num(f.price), num(f.size), num(f.fee), q(f.reason)].join(','))].join('\n') + '\n';
}

/** Equity curve with drawdown, position and close per measured bar, as an Arrow table. */
export function equityTable(sim: SimResult, frame: CandleFrame) {
  const n = sim.equity.length;
  const drawdownPct = new Float64Array(n);
  let peak = -Infinity;
  for (let i = 0; i < n; i++) {
    if (sim.equity[i] > peak) peak = sim.equity[i];
    drawdownPct[i] = peak > 0 ? (sim.equity[i] / peak - 1) * 100 : 0;
  }
  return tableFromArrays({
    ts: Float64Array.from(sim.ts),
    equity: Float64Array.from(sim.equity),
    drawdownPct,
    position: Float64Array.from(sim.position),
    close: frame.close.slice(sim.startIndex, sim.endIndex),
  });
}

export async function writeRunFolder(dir: string, a: RunArtefacts): Promise<void> {
  writeAtomic(join(dir, 'manifest.json'), toJson(a.manifest) + '\n');
  writeAtomic(join(dir, 'stats.json'), toJson(a.stats) + '\n');
  writeAtomic(join(dir, 'trades.csv'), tradesCsv(a.sim.trades));
  writeAtomic(join(dir, 'fills.csv'), fillsCsv(a.sim.fills));
  writeAtomic(join(dir, 'equity.arrow'), tableToIPC(equityTable(a.sim, a.frame), 'file'));
  writeAtomic(join(dir, 'report.html'), renderBacktestReport(a));
}
