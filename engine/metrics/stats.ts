/**
 * Statistics of a backtest: one pure function of the equity curve and the closed trades (CONVENTIONS §10).
 * Every field is defined in docs/metrics.md (formula, units, edge cases); keep the two in step.
 *
 * Annualisation assumes a 24/7 market: periodsPerYear(timeframe) bars a year, a year of 365 days.
 * Undefined ratios follow IEEE division (x/0 = ±Infinity, 0/0 = NaN) unless docs/metrics.md says otherwise.
 */
import { usageError } from '../errors.ts';
import { periodsPerYear, timeframeMs } from '../timeframe.ts';
import type { Trade } from '../sim/sim-result.ts';

export interface StatsInput {
  /** Open times of the measured bars (ms). */
  ts: Float64Array;
  /** Equity at each measured bar's close. */
  equity: Float64Array;
  /** Signed position at each measured bar's close. */
  position: Float64Array;
  trades: readonly Trade[];
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
  if (ts.length !== n || position.length !== n) {
    throw usageError('BAD_STATS_INPUT', `ts (${ts.length}), equity (${n}) and position (${position.length}) must have one value per measured bar`);
  }
  if (!(initialCash > 0) || !Number.isFinite(initialCash)) throw usageError('BAD_STATS_INPUT', `initialCash=${initialCash} must be a finite number > 0`);
  const ppy = periodsPerYear(input.timeframe);
  const tfMs = timeframeMs(input.timeframe);

  // One pass: per-bar simple returns (r_k = E_k / E_{k-1} − 1 with E_{-1} = initialCash), exposure, and
  // drawdown periods over the marks E_{-1}, E_0 .. E_{n-1} (mark k at ts[k] + tfMs, mark -1 at ts[0]).
  let sum = 0, sumSq = 0, downSq = 0, exposed = 0;
  let prev = initialCash;
  let peak = initialCash, peakIdx = -1, peakTime = ts[0];
  let inDd = false, troughE = Infinity;
  let maxDd = 0, ddSum = 0, ddCount = 0, maxDurBars = 0, maxDurMs = 0;
  for (let k = 0; k < n; k++) {
    const e = equity[k];
    const r = e / prev - 1;
    sum += r;
    sumSq += r * r;
    const down = (r - Math.abs(r)) * 0.5; // min(r, 0) without a branch (returns' signs are unpredictable)
    downSq += down * down;
    prev = e;
    if (position[k] !== 0) exposed++;
    if (e >= peak) {
      if (inDd) {
        const depth = troughE / peak - 1;
        if (depth < maxDd) maxDd = depth;
        ddSum += depth; ddCount++;
        const t = ts[k] + tfMs;
        if (k - peakIdx > maxDurBars) maxDurBars = k - peakIdx;
        if (t - peakTime > maxDurMs) maxDurMs = t - peakTime;
        inDd = false;
        troughE = Infinity;
      }
      peak = e; peakIdx = k; peakTime = ts[k] + tfMs;
    } else {
      inDd = true;
      if (e < troughE) troughE = e;
    }
  }
  const endTime = ts[n - 1] + tfMs;
  if (inDd) {
    const depth = troughE / peak - 1;
    if (depth < maxDd) maxDd = depth;
    ddSum += depth; ddCount++;
    if (n - 1 - peakIdx > maxDurBars) maxDurBars = n - 1 - peakIdx;
    if (endTime - peakTime > maxDurMs) maxDurMs = endTime - peakTime;
  }

  const m = n;
  const mean = sum / m;
  const variance = m > 1 ? Math.max(0, (sumSq - sum * mean) / (m - 1)) : NaN;
  const std = Math.sqrt(variance);
  const downDev = Math.sqrt(downSq / m);
  const sqrtPpy = Math.sqrt(ppy);

  const equityFinal = equity[n - 1];
  const spanMs = endTime - ts[0];
  const years = spanMs / YEAR_MS;
  const growth = equityFinal / initialCash;
  const cagr = growth > 0 ? Math.pow(growth, 1 / years) - 1 : -1;
  const maxDrawdownPct = maxDd * 100;
  const cagrPct = cagr * 100;

  const t = tradeStats(trades);
  return {
    start: ts[0],
    end: ts[n - 1],
    durationDays: spanMs / DAY_MS,
    bars: n,
    equityStart: initialCash,
    equityFinal,
    equityPeak: peak,
    returnPct: (growth - 1) * 100,
    buyHoldReturnPct: (input.lastPrice / input.firstPrice - 1) * 100,
    cagrPct,
    annualReturnPct: mean * ppy * 100,
    annualVolatilityPct: std * sqrtPpy * 100,
    sharpe: (mean / std) * sqrtPpy,
    sortino: (mean / downDev) * sqrtPpy,
    calmar: cagrPct / Math.abs(maxDrawdownPct),
    maxDrawdownPct,
    maxDrawdownDurationBars: maxDurBars,
    maxDrawdownDurationDays: maxDurMs / DAY_MS,
    avgDrawdownPct: ddCount ? (ddSum / ddCount) * 100 : 0,
    exposurePct: (exposed / n) * 100,
    ...t,
    feesPaid: input.feesPaid,
    openTrades: input.openTrades,
    skippedOrders: input.skippedOrders,
  };
}

type TradeStats = Pick<Stats, 'trades' | 'winRatePct' | 'bestTradePct' | 'worstTradePct' | 'avgTradePct' | 'profitFactor' | 'expectancy' | 'sqn' | 'kelly'>;

function tradeStats(trades: readonly Trade[]): TradeStats {
  const n = trades.length;
  if (n === 0) {
    return { trades: 0, winRatePct: NaN, bestTradePct: NaN, worstTradePct: NaN, avgTradePct: NaN, profitFactor: NaN, expectancy: NaN, sqn: NaN, kelly: NaN };
  }
  let wins = 0, losses = 0, grossWin = 0, grossLoss = 0, sumPnl = 0, sumRet = 0;
  let best = -Infinity, worst = Infinity;
  for (const tr of trades) {
    const p = tr.pnl;
    sumPnl += p;
    sumRet += tr.returnPct;
    if (tr.returnPct > best) best = tr.returnPct;
    if (tr.returnPct < worst) worst = tr.returnPct;
    if (p > 0) { wins++; grossWin += p; } else if (p < 0) { losses++; grossLoss -= p; }
  }
  const meanPnl = sumPnl / n;
  let ss = 0;
  for (const tr of trades) ss += (tr.pnl - meanPnl) ** 2;
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
