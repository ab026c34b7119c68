/**
 * Statistics of a backtest: one pure function of the equity curve and the closed trades (CONVENTIONS §10).
 * Every field is defined in docs/metrics.md (formula, units, edge cases); keep the two in step.
 *
 * Annualisation assumes a 24/7 market: periodsPerYear(timeframe) bars a year, a year of 365 days.
 * Undefined ratios follow IEEE division (x/0 = ±Infinity, 0/0 = NaN) unless docs/metrics.md says otherwise.
 */
import { usageError } from '../errors.ts';
import { periodsPerYear, timeframeMs } from '../timeframe.ts';
import type { Trade, TradeColumns } from '../sim/sim-result.ts';

export interface StatsInput {
  /** Open times of the measured bars (ms). */
  ts: Float64Array;
  /** Equity at each measured bar's close. */
  equity: Float64Array;
  /** Signed position at each measured bar's close; needed only for the exposure, so optional when `exposureBars` is given. */
  position?: Float64Array;
  /** The number of measured bars with a non-zero position, when the caller knows it (the simulator does); else counted from `position`. */
  exposureBars?: number;
  /** The closed trades, as objects or as columns of their pnl and returnPct (`SimResult.tradeColumns`). */
  trades: readonly Trade[] | TradeColumns;
  timeframe: string;
  initialCash: number;
  feesPaid: number;
  skippedOrders: number;
  openTrades: number;
  /** Buy & hold over the measured range: the first measured bar's open and the last measured bar's close. */
  firstPrice: number;
  lastPrice: number;
}

export interface Stats {
  start: number;
  end: number;
  durationDays: number;
  bars: number;
  equityStart: number;
  equityFinal: number;
  equityPeak: number;
  returnPct: number;
  buyHoldReturnPct: number;
  cagrPct: number;
  annualReturnPct: number;
  annualVolatilityPct: number;
  sharpe: number;
  sortino: number;
  calmar: number;
  maxDrawdownPct: number;
  maxDrawdownDurationBars: number;
  maxDrawdownDurationDays: number;
  avgDrawdownPct: number;
  exposurePct: number;
  trades: number;
  winRatePct: number;
  bestTradePct: number;
  worstTradePct: number;
  avgTradePct: number;
  profitFactor: number;
  expectancy: number;
  sqn: number;
  kelly: number;
  feesPaid: number;
  openTrades: number;
  skippedOrders: number;
}

const DAY_MS = 86_400_000;
const YEAR_MS = 365 * DAY_MS;

export function computeStats(input: StatsInput): Stats {
  const { ts, equity, position, trades, initialCash } = input;
  const n = equity.length;
  if (n === 0) throw usageError('NO_BARS', 'cannot compute statistics over 0 measured bars; choose a range with at least one bar after the warm-up');
  if (ts.length !== n || (position !== undefined && position.length !== n)) {
    throw usageError('BAD_STATS_INPUT', `ts (${ts.length}), equity (${n}) and position (${position?.length}) must have one value per measured bar`);
  }
  const exposed = exposureOf(input.exposureBars, position, n);
  if (!(initialCash > 0) || !Number.isFinite(initialCash)) throw usageError('BAD_STATS_INPUT', `initialCash=${initialCash} must be a finite number > 0`);
  const tfMs = timeframeMs(input.timeframe);

  // One pass over the equity curve: returns and drawdown periods (see equityPass).
  const { sum, sumSq, downSq, dd } = equityPass(equity, ts, tfMs, initialCash);
  const c = curveStats({
    n, sum, sumSq, downSq, exposed, peak: dd.peak, maxDepth: dd.maxDepth, depthSum: dd.depthSum, ddCount: dd.count,
    maxBars: dd.maxBars, maxMs: dd.maxMs, firstTs: ts[0], lastTs: ts[n - 1], equityFinal: equity[n - 1], initialCash, timeframe: input.timeframe,
    firstPrice: input.firstPrice, lastPrice: input.lastPrice,
  });
  return {
    ...c,
    ...tradeStats(trades),
    feesPaid: input.feesPaid,
    openTrades: input.openTrades,
    skippedOrders: input.skippedOrders,
  };
}

interface Drawdowns {
  /** Running peak at the end: max(initialCash, every mark). */
  peak: number;
  /** Deepest period's depth (a fraction, <= 0). */
  maxDepth: number;
  depthSum: number;
  count: number;
  maxBars: number;
  maxMs: number;
}

/** Bars with a non-zero position: `exposureBars` when given (checked), else counted from the position curve. */
function exposureOf(given: number | undefined, position: Float64Array | undefined, n: number): number {
  if (given !== undefined) {
    if (!Number.isInteger(given) || given < 0 || given > n) {
      throw usageError('BAD_STATS_INPUT', `exposureBars=${given} must be an integer in [0, ${n}] (the number of measured bars with a position)`);
    }
    return given;
  }
  if (position === undefined) throw usageError('BAD_STATS_INPUT', 'give either position (one value per measured bar) or exposureBars');
  let exposed = 0;
  for (let k = 0; k < n; k++) exposed += position[k] !== 0 ? 1 : 0;
  return exposed;
}

/**
 * One pass over the equity curve (read once; everything stays in registers):
 * - Σ r, Σ r², Σ min(r, 0)² of the per-bar simple returns r_k = E_k / E_(k−1) − 1, E_(−1) = initialCash;
 * - drawdown periods over the marks E_(−1), E_0 .. E_(n−1) (docs/metrics.md): from a peak to the first mark at
 *   or above it, or to the last mark; mark k is at ts[k] + tfMs, mark −1 at ts[0].
 */
function equityPass(equity: Float64Array, ts: Float64Array, tfMs: number, initialCash: number):
  { sum: number; sumSq: number; downSq: number; dd: Drawdowns } {
  const n = equity.length;
  let sum = 0, sumSq = 0, downSq = 0;
  // `+initialCash` (a no-op on the value) makes the optimiser keep prev and peak as raw doubles: seeded with the
  // tagged parameter itself, each `prev = e` boxed a heap number (4 MB of garbage per year of 1m bars, +35 % time).
  const cash0 = +initialCash;
  let prev = cash0;
  let peak = cash0, peakIdx = -1, trough = Infinity;
  let maxDepth = 0, depthSum = 0, count = 0, maxBars = 0, maxMs = 0;
  for (let k = 0; k <= n; k++) {
    // k === n is a sentinel that closes a drawdown period still open at the end (at the last mark, n − 1).
    let e = Infinity;
    if (k < n) {
      e = equity[k];
      if (e !== prev) { // an unchanged mark (flat, no fill) is a zero return: it only counts in n
        const r = e / prev - 1;
        sum += r;
        sumSq += r * r;
        const down = (r - Math.abs(r)) * 0.5; // min(r, 0) without a branch (returns' signs are unpredictable)
        downSq += down * down;
        prev = e;
      }
    }
    if (e >= peak) {
      if (trough !== Infinity) {
        const end = k < n ? k : n - 1;
        const depth = trough / peak - 1;
        if (depth < maxDepth) maxDepth = depth;
        depthSum += depth;
        count++;
        if (end - peakIdx > maxBars) maxBars = end - peakIdx;
        const ms = ts[end] + tfMs - (peakIdx < 0 ? ts[0] : ts[peakIdx] + tfMs);
        if (ms > maxMs) maxMs = ms;
        trough = Infinity;
      }
      if (k < n) { peak = e; peakIdx = k; }
    } else if (e < trough) {
      trough = e;
    }
  }
  return { sum, sumSq, downSq, dd: { peak, maxDepth, depthSum, count, maxBars, maxMs } };
}

type TradeStats = Pick<Stats, 'trades' | 'winRatePct' | 'bestTradePct' | 'worstTradePct' | 'avgTradePct' | 'profitFactor' | 'expectancy' | 'sqn' | 'kelly'>;

function tradeStats(trades: readonly Trade[] | TradeColumns): TradeStats {
  let pnl: ArrayLike<number>, ret: ArrayLike<number>;
  if (Array.isArray(trades)) {
    const list = trades as readonly Trade[];
    pnl = list.map((t) => t.pnl);
    ret = list.map((t) => t.returnPct);
  } else {
    const cols = trades as TradeColumns;
    if (cols.pnl.length !== cols.returnPct.length) {
      throw usageError('BAD_STATS_INPUT', `trade columns differ in length: pnl ${cols.pnl.length}, returnPct ${cols.returnPct.length}`);
    }
    pnl = cols.pnl;
    ret = cols.returnPct;
  }
  const n = pnl.length;
  if (n === 0) {
    return { trades: 0, winRatePct: NaN, bestTradePct: NaN, worstTradePct: NaN, avgTradePct: NaN, profitFactor: NaN, expectancy: NaN, sqn: NaN, kelly: NaN };
  }
  let wins = 0, losses = 0, grossWin = 0, grossLoss = 0, sumPnl = 0, sumRet = 0;
  let best = -Infinity, worst = Infinity;
  for (let k = 0; k < n; k++) {
    const p = pnl[k], r = ret[k];
    sumPnl += p;
    sumRet += r;
    if (r > best) best = r;
    if (r < worst) worst = r;
    if (p > 0) { wins++; grossWin += p; } else if (p < 0) { losses++; grossLoss -= p; }
  }
  const meanPnl = sumPnl / n;
  let ss = 0;
  for (let k = 0; k < n; k++) ss += (pnl[k] - meanPnl) ** 2;
  const stdPnl = n > 1 ? Math.sqrt(ss / (n - 1)) : NaN;
  const w = wins / n;
  let kelly: number;
  if (losses === 0) kelly = wins > 0 ? 1 : NaN;
  else if (wins === 0) kelly = -Infinity;
  else kelly = w - (1 - w) / ((grossWin / wins) / (grossLoss / losses));
  return {
    trades: n,
    winRatePct: w * 100,
    bestTradePct: best,
    worstTradePct: worst,
    avgTradePct: sumRet / n,
    profitFactor: grossWin / grossLoss,
    expectancy: meanPnl,
    sqn: (Math.sqrt(n) * meanPnl) / stdPnl,
    kelly,
  };
}

/** The accumulators of one pass over a measured equity curve (see equityPass), from which curveStats derives its fields. */
export interface CurveAccumulators {
  readonly n: number; readonly sum: number; readonly sumSq: number; readonly downSq: number; readonly exposed: number;
  readonly peak: number; readonly maxDepth: number; readonly depthSum: number; readonly ddCount: number;
  readonly maxBars: number; readonly maxMs: number;
  readonly firstTs: number; readonly lastTs: number; readonly equityFinal: number; readonly initialCash: number; readonly timeframe: string;
  /** Buy & hold over the measured range: the first measured bar's open and the last measured bar's close. */
  readonly firstPrice: number; readonly lastPrice: number;
}

export type CurveStats = Pick<Stats, 'start' | 'end' | 'durationDays' | 'bars' | 'equityStart' | 'equityFinal' | 'equityPeak' | 'returnPct'
  | 'buyHoldReturnPct' | 'cagrPct' | 'annualReturnPct' | 'annualVolatilityPct' | 'sharpe' | 'sortino' | 'calmar' | 'maxDrawdownPct'
  | 'maxDrawdownDurationBars' | 'maxDrawdownDurationDays' | 'avgDrawdownPct' | 'exposurePct'>;

/**
 * The curve fields of Stats (and buy & hold over the same range) from the accumulators: the one place their formulas live (docs/metrics.md), used by
 * computeStats and by the sweep kernel, which accumulates the same sums without writing the curve.
 */
export function curveStats(a: CurveAccumulators): CurveStats {
  const { n: m, sum, sumSq, downSq, initialCash, equityFinal } = a;
  const ppy = periodsPerYear(a.timeframe);
  const mean = sum / m;
  const variance = m > 1 ? Math.max(0, (sumSq - sum * mean) / (m - 1)) : NaN;
  const std = Math.sqrt(variance);
  const downDev = Math.sqrt(downSq / m);
  const sqrtPpy = Math.sqrt(ppy);
  const endTime = a.lastTs + timeframeMs(a.timeframe);
  const spanMs = endTime - a.firstTs;
  const years = spanMs / YEAR_MS;
  const growth = equityFinal / initialCash;
  const cagr = growth > 0 ? Math.pow(growth, 1 / years) - 1 : -1;
  const maxDrawdownPct = a.maxDepth * 100;
  const cagrPct = cagr * 100;
  return {
    start: a.firstTs,
    end: a.lastTs,
    durationDays: spanMs / DAY_MS,
    bars: m,
    equityStart: initialCash,
    equityFinal,
    equityPeak: a.peak,
    returnPct: (growth - 1) * 100,
    buyHoldReturnPct: (a.lastPrice / a.firstPrice - 1) * 100,
    cagrPct,
    annualReturnPct: mean * ppy * 100,
    annualVolatilityPct: std * sqrtPpy * 100,
    sharpe: (mean / std) * sqrtPpy,
    sortino: (mean / downDev) * sqrtPpy,
    calmar: cagrPct / Math.abs(maxDrawdownPct),
    maxDrawdownPct,
    maxDrawdownDurationBars: a.maxBars,
    maxDrawdownDurationDays: a.maxMs / DAY_MS,
    avgDrawdownPct: a.ddCount ? (a.depthSum / a.ddCount) * 100 : 0,
    exposurePct: (a.exposed / m) * 100,
  };
}
