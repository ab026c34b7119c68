/**
 * The sweep kernel: the statistics of one signal backtest, in one pass that never stores the equity curve.
 *
 * `signalRunStats(frame, signals, config, start, end)` returns exactly (bit for bit) what
 * `computeStats(statsInputFromSim(runSignalBacktest(...fast path...), frame, config))` returns for the same signals:
 * the same Book executes the same fills in the same order (next-open, slippage, fees, lot rounding, minimum
 * notional, shorts, close-at-end), and each equity mark goes through the same accumulations as computeStats'
 * pass (Σ r, Σ r², Σ min(r,0)², exposure, drawdown periods) in the same order. The tests compare the two on
 * real and synthetic data for every fill option.
 *
 * What makes it cheaper: no equity or position column is written (8 bytes × 2 × bars saved per run), and while the
 * book is flat the marks are all equal to the cash, so the loop only scans the signals for the next entry and
 * accounts the flat stretch in O(1) (an unchanged mark adds no return; it can only move the drawdown's peak index).
 */
import { usageError } from '../errors.ts';
import type { CandleFrame } from '../frame.ts';
import { computeStats, type Stats } from '../metrics/stats.ts';
import { Book, SIDE_FLAT, SIDE_LONG, SIDE_SHORT } from '../sim/book.ts';
import type { FillConfig } from '../sim/fill-config.ts';
import { REASON_END } from '../sim/signal-backtest.ts';
import { periodsPerYear, timeframeMs } from '../timeframe.ts';

const REASON_LONG = 'target long';
const REASON_FLAT = 'target flat';
const REASON_SHORT = 'target short';
const DAY_MS = 86_400_000;
const YEAR_MS = 365 * DAY_MS;

/**
 * Statistics of the fast-path backtest of `sig` (one target per bar: NaN = no decision, > 0 long, < 0 short or flat,
 * 0 flat) over the measured bars [start, end) of `frame`. The fill configuration must already be valid
 * (`validateFillConfig`); `start`/`end` are checked.
 */
export function signalRunStats(frame: CandleFrame, sig: Float64Array, config: Readonly<FillConfig>, start: number, end: number): Stats {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end <= start || end > frame.length) {
    throw usageError('BAD_RANGE', `measured range [${start}, ${end}) must lie inside the frame's ${frame.length} bars`);
  }
  if (sig.length !== frame.length) throw usageError('BAD_SIGNALS', `signals must have one value per bar (${frame.length}), got ${sig.length}`);
  const cfg = config;
  const { close, ts } = frame;
  const tfMs = timeframeMs(frame.timeframe);
  const allowShort = cfg.allowShort;
  const shortSide = allowShort ? SIDE_SHORT : SIDE_FLAT;
  const initialCash = cfg.initialCash;
  const book = new Book(frame, cfg);
  const n = end - start;
  const last = end - 1;

  const st = new Marks(initialCash, ts, start, tfMs);
  let cash = book.cash, pos = book.pos, side = book.side;
  let finalE: number;
  st.mark(cash + pos * close[start], pos, 0);
  if (n === 1) {
    finalE = cash + pos * close[start];
  } else {
    let i = start + 1, k = 1;
    while (i < last) {
      if (side === SIDE_FLAT) {
        // Flat: find the first bar j whose previous signal moves the book; bars i..j-1 are marked at the cash.
        let j = i;
        if (allowShort) {
          while (j < last) { const s = sig[j - 1]; if (s > 0 || s < 0) break; j++; }
        } else {
          while (j < last && !(sig[j - 1] > 0)) j++;
        }
        if (j > i) {
          const e = cash + pos * close[i];
          st.mark(e, pos, k);
          // The rest of the stretch repeats the same mark: no return, no exposure; when it stands at the peak each
          // mark re-sets the peak index (and there is no open drawdown period to close).
          if (e >= st.peak) st.peakIdx = k + (j - i) - 1;
          k += j - i;
          i = j;
          continue;
        }
      } else {
        // In a position: mark every bar until the signal moves the book. The accumulators live in locals here
        // (a closure or object field per bar would cost a memory round trip each).
        const long = side === SIDE_LONG;
        let prev = st.prev, sum = st.sum, sumSq = st.sumSq, downSq = st.downSq, exposed = st.exposed;
        let peak = st.peak, peakIdx = st.peakIdx, trough = st.trough;
        for (; i < last; i++, k++) {
          const s = sig[i - 1];
          if (long ? s <= 0 : s >= 0) break;
          const e = cash + pos * close[i];
          exposed++;
          if (e !== prev) {
            const r = e / prev - 1;
            sum += r;
            sumSq += r * r;
            const down = (r - Math.abs(r)) * 0.5;
            downSq += down * down;
            prev = e;
          }
          if (e >= peak) {
            if (trough !== Infinity) { st.peak = peak; st.peakIdx = peakIdx; st.trough = trough; st.closePeriod(k); }
            peak = e;
            peakIdx = k;
            trough = Infinity;
          } else if (e < trough) {
            trough = e;
          }
        }
        st.prev = prev; st.sum = sum; st.sumSq = sumSq; st.downSq = downSq; st.exposed = exposed;
        st.peak = peak; st.peakIdx = peakIdx; st.trough = trough;
        if (i >= last) break;
      }
      {
        const s = sig[i - 1];
        if (s !== side && s === s) {
          const t = s > 0 ? SIDE_LONG : s < 0 ? shortSide : SIDE_FLAT;
          if (t !== side) {
            book.moveTo(i, t, t === SIDE_LONG ? REASON_LONG : s < 0 ? REASON_SHORT : REASON_FLAT);
            cash = book.cash; pos = book.pos; side = book.side;
          }
        }
      }
      st.mark(cash + pos * close[i], pos, k);
      i++; k++;
    }
    // The last measured bar: its move, then close-at-end, then its mark.
    {
        const s = sig[last - 1];
        if (s !== side && s === s) {
          const t = s > 0 ? SIDE_LONG : s < 0 ? shortSide : SIDE_FLAT;
          if (t !== side) {
            book.moveTo(last, t, t === SIDE_LONG ? REASON_LONG : s < 0 ? REASON_SHORT : REASON_FLAT);
            cash = book.cash; pos = book.pos; side = book.side;
          }
        }
      }
    let e = cash + pos * close[last];
    let p = pos;
    if (cfg.closeAtEnd && book.side !== SIDE_FLAT) {
      book.close(last, close[last], REASON_END);
      e = book.cash;
      p = 0;
    }
    st.mark(e, p, n - 1);
    finalE = e;
  }
  if (st.trough !== Infinity) st.closePeriod(n - 1);
  const { sum, sumSq, downSq, exposed, peak, maxDepth, depthSum, ddCount, maxBars, maxMs } = st;

  // Trade statistics from computeStats itself (over a one-mark curve), then the curve fields exactly as it computes them.
  const equityFinal = finalE;
  const tradePart = computeStats({
    ts: ts.subarray(start, start + 1), equity: new Float64Array([initialCash]), position: new Float64Array(1),
    trades: book.tradeColumns(), timeframe: frame.timeframe, initialCash, feesPaid: book.feesPaid,
    skippedOrders: book.skippedOrders, openTrades: book.side !== SIDE_FLAT ? 1 : 0,
    firstPrice: frame.open[start], lastPrice: close[last],
  });
  const ppy = periodsPerYear(frame.timeframe);
  const m = n;
  const mean = sum / m;
  const variance = m > 1 ? Math.max(0, (sumSq - sum * mean) / (m - 1)) : NaN;
  const std = Math.sqrt(variance);
  const downDev = Math.sqrt(downSq / m);
  const sqrtPpy = Math.sqrt(ppy);
  const endTime = ts[last] + tfMs;
  const spanMs = endTime - ts[start];
  const years = spanMs / YEAR_MS;
  const growth = equityFinal / initialCash;
  const cagr = growth > 0 ? Math.pow(growth, 1 / years) - 1 : -1;
  const maxDrawdownPct = maxDepth * 100;
  const cagrPct = cagr * 100;
  return {
    ...tradePart,
    start: ts[start],
    end: ts[last],
    durationDays: spanMs / DAY_MS,
    bars: n,
    equityStart: initialCash,
    equityFinal,
    equityPeak: peak,
    returnPct: (growth - 1) * 100,
    cagrPct,
    annualReturnPct: mean * ppy * 100,
    annualVolatilityPct: std * sqrtPpy * 100,
    sharpe: (mean / std) * sqrtPpy,
    sortino: (mean / downDev) * sqrtPpy,
    calmar: cagrPct / Math.abs(maxDrawdownPct),
    maxDrawdownPct,
    maxDrawdownDurationBars: maxBars,
    maxDrawdownDurationDays: maxMs / DAY_MS,
    avgDrawdownPct: ddCount ? (depthSum / ddCount) * 100 : 0,
    exposurePct: (exposed / n) * 100,
  };
}

/** computeStats' accumulators over the marks (engine/metrics/stats.ts: equityPass), for the rare per-event marks. */
class Marks {
  prev: number; sum = 0; sumSq = 0; downSq = 0; exposed = 0;
  peak: number; peakIdx = -1; trough = Infinity;
  maxDepth = 0; depthSum = 0; ddCount = 0; maxBars = 0; maxMs = 0;
  constructor(initialCash: number, private readonly ts: Float64Array, private readonly start: number, private readonly tfMs: number) {
    this.prev = initialCash;
    this.peak = initialCash;
  }

  /** One mark: equity e and position p at measured bar k. */
  mark(e: number, p: number, k: number): void {
    this.exposed += p !== 0 ? 1 : 0;
    if (e !== this.prev) {
      const r = e / this.prev - 1;
      this.sum += r;
      this.sumSq += r * r;
      const down = (r - Math.abs(r)) * 0.5;
      this.downSq += down * down;
      this.prev = e;
    }
    if (e >= this.peak) {
      if (this.trough !== Infinity) this.closePeriod(k);
      this.peak = e;
      this.peakIdx = k;
    } else if (e < this.trough) {
      this.trough = e;
    }
  }

  /** Close the open drawdown period at mark endK. */
  closePeriod(endK: number): void {
    const depth = this.trough / this.peak - 1;
    if (depth < this.maxDepth) this.maxDepth = depth;
    this.depthSum += depth;
    this.ddCount++;
    if (endK - this.peakIdx > this.maxBars) this.maxBars = endK - this.peakIdx;
    const ts = this.ts, start = this.start;
    const ms = ts[start + endK] + this.tfMs - (this.peakIdx < 0 ? ts[start] : ts[start + this.peakIdx] + this.tfMs);
    if (ms > this.maxMs) this.maxMs = ms;
    this.trough = Infinity;
  }
}
