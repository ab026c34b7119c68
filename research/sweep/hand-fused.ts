/**
 * The hand-fused baseline of the sweep benchmark (sweep.bench.ts, case `sweep.hand-fused`): an SMA-cross sweep written
 * by hand for one fill model (long-only, next-open fills, a fee rate, all cash in, no slippage, lot or minimum) — the
 * work the product does per combination, without its generality: no strategy object, no book, no memo, no workers.
 *
 * Per sweep: each distinct SMA length once (`sma`, the engine's kernel, into reused columns). Per combination: ONE
 * loop over the bars — the strict cross of the two columns (`fast[i-1] < slow[i-1] && fast[i] > slow[i]`), fills at
 * the next open with fees, and every statistic the sweep reports, accumulated on the fly: Σ r, Σ r², Σ min(r, 0)² of
 * the per-bar returns, exposure, drawdown periods (deepest, average, longest in bars and in time), the closed trades'
 * count, wins, gross win and loss, best, worst and mean return, pnl mean and deviation; then the ratios. Its flat
 * stretches test one comparison per bar (four per iteration), as a careful hand-written loop would.
 * `handFusedStats` returns them under the Stats names, so a test can hold them against the product's.
 */
import { sma, type CandleFrame, type Stats } from '../../engine/index.ts';

export interface HandFusedSpec {
  readonly frame: CandleFrame;
  /** Measured bars [start, n): start >= the slowest SMA length. */
  readonly start: number;
  readonly initialCash: number;
  readonly feeRate: number;
  readonly periodsPerYear: number;
  readonly timeframeMs: number;
}

export type HandFusedStats = Pick<Stats, 'equityFinal' | 'returnPct' | 'sharpe' | 'sortino' | 'maxDrawdownPct' | 'avgDrawdownPct' | 'maxDrawdownDurationBars'
  | 'maxDrawdownDurationDays' | 'exposurePct' | 'trades' | 'winRatePct' | 'bestTradePct' | 'worstTradePct' | 'avgTradePct' | 'profitFactor' | 'expectancy'
  | 'sqn' | 'feesPaid' | 'calmar' | 'cagrPct' | 'annualVolatilityPct'>;

/** The SMA columns of every distinct length, computed once into `cols` (reused across calls). */
export function smaColumns(frame: CandleFrame, lengths: Iterable<number>, cols: Map<number, Float64Array>): Map<number, Float64Array> {
  for (const L of lengths) cols.set(L, sma(frame.close, L, cols.get(L)));
  return cols;
}

const DAY_MS = 86_400_000;

/** One combination: the fused loop. `fa`, `sa`: the fast and slow SMA columns. */
export function handFusedStats(s: HandFusedSpec, fa: Float64Array, sa: Float64Array): HandFusedStats {
  const { open, close, ts } = s.frame;
  const n = close.length, start = s.start, last = n - 1, fee = s.feeRate, tf = s.timeframeMs;
  const cash0 = +s.initialCash;
  let cash = cash0, pos = 0, entryPrice = 0, entryFee = 0, fees = 0;
  let prev = cash0, sum = 0, sumSq = 0, downSq = 0, peak = cash0, peakBar = start - 1, trough = Infinity;
  let maxDepth = 0, depthSum = 0, ddCount = 0, maxBars = 0, maxMs = 0, exposed = 0;
  let trades = 0, wins = 0, grossWin = 0, grossLoss = 0, sumPnl = 0, sumPnlSq = 0, sumRet = 0, best = -Infinity, worst = Infinity;
  const close4 = last - 4;
  // Bar `start` is marked flat (the cash). Bar i fills the target of bar i-1 at its open, then is marked at its close.
  let i = start + 1;
  while (i <= last) {
    // Flat: the first bar j >= i-1 where fast crosses above slow; bars i..j stay at the cash (no return).
    let j = i - 1;
    for (;;) {
      for (; j < close4; j += 4) if (fa[j] > sa[j] || fa[j + 1] > sa[j + 1] || fa[j + 2] > sa[j + 2] || fa[j + 3] > sa[j + 3]) break;
      for (; j < last; j++) if (fa[j] > sa[j]) break;
      if (j >= last || fa[j - 1] < sa[j - 1]) break;
      for (j++; j < last && fa[j] > sa[j]; j++);
    }
    if (cash >= peak) peakBar = Math.min(j, last); // the flat marks repeat the peak
    if (j >= last) break;
    i = j + 1;
    // Enter at bar i's open with all the cash.
    let px = open[i];
    pos = cash / (px * (1 + fee));
    let notional = px * pos;
    entryPrice = px; entryFee = fee * notional;
    cash -= notional + entryFee;
    fees += entryFee;
    const entryBar = i;
    // Held: mark bars until bar i-1 is a cross down. The inner loop leaves for the rare events (the end of a
    // drawdown period, a comparison that flips), so that it keeps few values live.
    held: for (;;) {
      // bar i is to be marked; bar i-1 is not an exit
      for (;;) {
        const e = cash + pos * close[i];
        if (e !== prev) { const r = e / prev - 1; sum += r; sumSq += r * r; const d = (r - Math.abs(r)) * 0.5; downSq += d * d; prev = e; }
        if (e >= peak) {
          if (trough !== Infinity) break;
          peak = e; peakBar = i;
        } else if (e < trough) trough = e;
        if (++i > last) break held;
        if (fa[i - 1] < sa[i - 1]) break;
      }
      if (trough !== Infinity && prev >= peak) { // bar i (marked) ends a drawdown period and is the new peak
        const depth = trough / peak - 1;
        if (depth < maxDepth) maxDepth = depth;
        depthSum += depth; ddCount++;
        if (i - peakBar > maxBars) maxBars = i - peakBar;
        const ms = ts[i] - (peakBar < start ? ts[start] - tf : ts[peakBar]);
        if (ms > maxMs) maxMs = ms;
        trough = Infinity;
        peak = prev; peakBar = i;
        if (++i > last) break;
      }
      // bars whose previous bar has fast below slow: an exit if the bar before that had it above
      while (fa[i - 1] < sa[i - 1]) {
        if (fa[i - 2] > sa[i - 2]) break held; // exit at bar i
        const e = cash + pos * close[i];
        if (e !== prev) { const r = e / prev - 1; sum += r; sumSq += r * r; const d = (r - Math.abs(r)) * 0.5; downSq += d * d; prev = e; }
        if (e >= peak) {
          if (trough !== Infinity) {
            const depth = trough / peak - 1;
            if (depth < maxDepth) maxDepth = depth;
            depthSum += depth; ddCount++;
            if (i - peakBar > maxBars) maxBars = i - peakBar;
            const ms = ts[i] - (peakBar < start ? ts[start] - tf : ts[peakBar]);
            if (ms > maxMs) maxMs = ms;
            trough = Infinity;
          }
          peak = e; peakBar = i;
        } else if (e < trough) trough = e;
        if (++i > last) break held;
      }
    }
    exposed += i - entryBar;
    if (i > last) break;
    // Exit at bar i's open: the trade's pnl and return, then bar i is marked at the cash.
    px = open[i];
    notional = px * pos;
    const exitFee = fee * notional;
    cash += notional - exitFee;
    fees += exitFee;
    const pnl = (px - entryPrice) * pos - entryFee - exitFee;
    const ret = (pnl / (entryPrice * pos + entryFee)) * 100;
    pos = 0;
    trades++; sumPnl += pnl; sumPnlSq += pnl * pnl; sumRet += ret;
    if (pnl > 0) { wins++; grossWin += pnl; } else if (pnl < 0) grossLoss -= pnl;
    if (ret > best) best = ret;
    if (ret < worst) worst = ret;
    const e = cash;
    if (e !== prev) { const r = e / prev - 1; sum += r; sumSq += r * r; const d = (r - Math.abs(r)) * 0.5; downSq += d * d; prev = e; }
    if (e >= peak) {
      if (trough !== Infinity) {
        const depth = trough / peak - 1;
        if (depth < maxDepth) maxDepth = depth;
        depthSum += depth; ddCount++;
        if (i - peakBar > maxBars) maxBars = i - peakBar;
        const ms = ts[i] - (peakBar < start ? ts[start] - tf : ts[peakBar]);
        if (ms > maxMs) maxMs = ms;
        trough = Infinity;
      }
      peak = e; peakBar = i;
    } else if (e < trough) trough = e;
    i++;
  }
  if (trough !== Infinity) { // the period still open at the end closes at the last mark
    const depth = trough / peak - 1;
    if (depth < maxDepth) maxDepth = depth;
    depthSum += depth; ddCount++;
    if (last - peakBar > maxBars) maxBars = last - peakBar;
    const ms = ts[last] - (peakBar < start ? ts[start] - tf : ts[peakBar]);
    if (ms > maxMs) maxMs = ms;
  }
  const m = n - start, mean = sum / m, ppy = s.periodsPerYear;
  const std = Math.sqrt(Math.max(0, (sumSq - sum * mean) / (m - 1)));
  const equityFinal = cash + pos * close[last];
  const years = (ts[last] + tf - ts[start]) / (365 * DAY_MS);
  const growth = equityFinal / cash0;
  const cagrPct = (growth > 0 ? Math.pow(growth, 1 / years) - 1 : -1) * 100;
  const meanPnl = sumPnl / trades;
  return {
    equityFinal,
    returnPct: (growth - 1) * 100,
    sharpe: (mean / std) * Math.sqrt(ppy),
    sortino: (mean / Math.sqrt(downSq / m)) * Math.sqrt(ppy),
    annualVolatilityPct: std * Math.sqrt(ppy) * 100,
    cagrPct,
    calmar: cagrPct / Math.abs(maxDepth * 100),
    maxDrawdownPct: maxDepth * 100,
    avgDrawdownPct: ddCount ? (depthSum / ddCount) * 100 : 0,
    maxDrawdownDurationBars: maxBars,
    maxDrawdownDurationDays: maxMs / DAY_MS,
    exposurePct: (exposed / m) * 100,
    trades,
    winRatePct: (wins / trades) * 100,
    bestTradePct: best,
    worstTradePct: worst,
    avgTradePct: sumRet / trades,
    profitFactor: grossWin / grossLoss,
    expectancy: meanPnl,
    sqn: (Math.sqrt(trades) * meanPnl) / Math.sqrt((sumPnlSq - sumPnl * meanPnl) / (trades - 1)),
    feesPaid: fees,
  };
}
