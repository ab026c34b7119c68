/**
 * The sweep kernel for strategies whose signals are the strict cross of two indicator columns
 * (`strategy.crossSignals`: sma-cross, ema-cross). It is SignalRun (signal-stats.ts) with the target column
 * replaced by a comparison of the two columns where the book could move: no target column is written or read.
 *
 * The target of bar j is `crossTargets(fast, slow)[j]` (engine/strategies/ma-cross.ts) with NaN before `from`:
 * +1 when fast[j-1] < slow[j-1] and fast[j] > slow[j], -1 at the opposite cross, NaN otherwise. A cross is local to
 * rows j-1 and j (crossTargets' running side is always the side of the previous row), so each scan looks for the
 * one cross that can move the book from its side — an entry while flat (long-only: a cross up), an exit while in a
 * position — with one comparison per bar, eight bars per iteration, and checks the previous row only where the
 * comparison flips. The Stats are bit-identical to `signalRunStats` over the strategy's `signals` (tests).
 */
import { usageError } from '../errors.ts';
import type { CandleFrame } from '../frame.ts';
import type { Stats } from '../metrics/stats.ts';
import type { FillConfig } from '../sim/fill-config.ts';
import { SIDE_FLAT, SIDE_LONG, SIDE_SHORT, type TradeStore } from '../sim/book.ts';
import { markFlat, SignalRun, type Marks } from './signal-stats.ts';

/**
 * First j in [j, j1) where `a` crosses below `b` (a[j-1] > b[j-1] and a[j] < b[j]); j1 when none; j >= 1. With
 * (fast, slow) that is a cross down, with (slow, fast) a cross up.
 */
export function nextCrossBelow(a: Float64Array, b: Float64Array, j: number, j1: number): number {
  for (;;) {
    for (; j + 8 <= j1; j += 8) {
      if (a[j] < b[j] || a[j + 1] < b[j + 1] || a[j + 2] < b[j + 2] || a[j + 3] < b[j + 3]
        || a[j + 4] < b[j + 4] || a[j + 5] < b[j + 5] || a[j + 6] < b[j + 6] || a[j + 7] < b[j + 7]) break;
    }
    for (; j < j1; j++) if (a[j] < b[j]) break;
    if (j >= j1) return j1;
    if (a[j - 1] > b[j - 1]) return j;
    // below, but the row before was not above (equal, NaN, or below): no cross before `a` leaves the run below
    for (j++; j < j1 && a[j] < b[j]; j++);
  }
}

/** First j in [j, j1) with a cross either way; j1 when none. j >= 1. */
export function nextCross(fast: Float64Array, slow: Float64Array, j: number, j1: number): number {
  for (; j < j1; j++) {
    const f = fast[j], s = slow[j];
    if ((f > s && fast[j - 1] < slow[j - 1]) || (f < s && fast[j - 1] > slow[j - 1])) return j;
  }
  return j1;
}

/**
 * Mark bars i0 .. while a position is held (st.cash, st.pos; markHeld's arithmetic, bar by bar), up to the first bar i whose previous
 * bar's target is the exit: `a` crossing below `b` at bar i-1 ((fast, slow) for a long, (slow, fast) for a short).
 * Returns that bar, or i1. i0 >= 2. The exit test is one comparison per bar, checked in full only when it fires; the
 * loop leaves for the rare events (an exit candidate, the end of a drawdown period) so that it keeps few live values.
 */
export function markHeldUntilCross(st: Marks, close: Float64Array, a: Float64Array, b: Float64Array, i0: number, i1: number, start: number): number {
  const cash = +st.cash, pos = +st.pos;
  let prev = +st.prev, sum = +st.sum, sumSq = +st.sumSq, downSq = +st.downSq;
  let peak = +st.peak, peakBar = st.peakIdx + start, trough = +st.trough;
  let i = i0;
  while (i < i1) {
    // The fast loop adds every bar's return without testing for an unchanged mark (Marks.mark skips those): for a
    // finite non-zero previous mark the return is +0 and adds nothing, so only an unchanged mark of 0 or ±Infinity
    // differs (0/0 is NaN). Such a NaN is caught at the end of the segment, which is then redone the exact way.
    const seg = i, prev0 = prev, sum0 = sum, sumSq0 = sumSq, downSq0 = downSq, peak0 = peak, peakBar0 = peakBar, trough0 = trough;
    for (; i < i1; i++) {
      if (a[i - 1] < b[i - 1]) break;
      const e = cash + pos * close[i];
      const r = e / prev - 1;
      sum += r;
      sumSq += r * r;
      const down = (r - Math.abs(r)) * 0.5;
      downSq += down * down;
      prev = e;
      if (e >= peak) {
        if (trough !== Infinity) break;
        peak = e;
        peakBar = i;
      } else if (e < trough) {
        trough = e;
      }
    }
    if (sum !== sum && sum0 === sum0) {
      // redo the segment with Marks.mark's test (the same bars: the exits do not depend on the returns)
      prev = prev0; sum = sum0; sumSq = sumSq0; downSq = downSq0; peak = peak0; peakBar = peakBar0; trough = trough0;
      for (i = seg; i < i1; i++) {
        if (a[i - 1] < b[i - 1]) break;
        const e = cash + pos * close[i];
        if (e !== prev) {
          const r = e / prev - 1;
          sum += r;
          sumSq += r * r;
          const down = (r - Math.abs(r)) * 0.5;
          downSq += down * down;
          prev = e;
        }
        if (e >= peak) {
          if (trough !== Infinity) break;
          peak = e;
          peakBar = i;
        } else if (e < trough) {
          trough = e;
        }
      }
    }
    if (i >= i1) break;
    if (a[i - 1] < b[i - 1]) {
      if (a[i - 2] > b[i - 2]) break; // the exit: bar i moves the book
      // `a` below `b` without a cross: mark bar i like any other (the next bars test again)
      const e = cash + pos * close[i];
      if (e !== prev) {
        const r = e / prev - 1;
        sum += r;
        sumSq += r * r;
        const down = (r - Math.abs(r)) * 0.5;
        downSq += down * down;
        prev = e;
      }
      if (e >= peak) {
        if (trough === Infinity) { peak = e; peakBar = i; i++; continue; }
      } else {
        if (e < trough) trough = e;
        i++;
        continue;
      }
    }
    // bar i's mark (= prev) reaches the peak with a drawdown period open: close it there; bar i is the new peak
    st.peak = peak; st.peakIdx = peakBar - start; st.trough = trough;
    st.closePeriod(i - start);
    peak = prev;
    peakBar = i;
    trough = Infinity;
    i++;
  }
  st.prev = prev; st.sum = sum; st.sumSq = sumSq; st.downSq = downSq; st.exposed += i - i0;
  st.peak = peak; st.peakIdx = peakBar - start; st.trough = trough;
  return i;
}

/** The cross target of bar j (1, -1 or NaN), NaN before `from` (from >= 1). */
export function crossTargetAt(fast: Float64Array, slow: Float64Array, from: number, j: number): number {
  if (j < from) return NaN;
  const f = fast[j], s = slow[j], pf = fast[j - 1], ps = slow[j - 1];
  if (f > s && pf < ps) return 1;
  if (f < s && pf > ps) return -1;
  return NaN;
}

/**
 * One fast-path backtest of a cross strategy fed in order: `advanceCross(i0, i1)` applies the targets of bars i0-1 ..
 * i1-2 at the opens of bars i0 .. i1-1 and marks those bars (consecutive ranges from start + 1, as SignalRun.advance);
 * `finishCross()` handles the last measured bar and returns the Stats.
 */
export class CrossRun extends SignalRun {
  /** First bar whose target may be a cross (targets before it are NaN); >= 1. */
  private readonly from: number;

  constructor(frame: CandleFrame, cfg: Readonly<FillConfig>, start: number, end: number,
    private readonly fast: Float64Array, private readonly slow: Float64Array, from = 0, store?: TradeStore) {
    super(frame, cfg, start, end, store);
    if (fast.length !== frame.length || slow.length !== frame.length) {
      throw usageError('BAD_INDICATORS', `cross columns must have one value per bar (${frame.length}), got ${fast.length} and ${slow.length}`);
    }
    if (!Number.isFinite(from)) throw usageError('BAD_SIGNALS', `crossSignals.from must be a finite bar index, got ${from}`);
    this.from = Math.max(1, Math.ceil(from));
  }

  advanceCross(i0: number, i1: number): void {
    if (i0 !== this.next || i1 < i0 || i1 > this.last) throw usageError('BAD_RANGE', `advanceCross(${i0}, ${i1}) must continue at bar ${this.next} and stop at or before ${this.last}`);
    const { fast, slow, from, m: st, start } = this;
    const close = this.frame.close;
    const allowShort = this.cfg.allowShort;
    let k = this.k;
    let i = i0;
    while (i < i1) {
      // Bar i applies the target of bar i-1; find the first bar j >= i whose previous bar's cross moves the book.
      const side = this.side;
      let j: number;
      if (side !== SIDE_FLAT) {
        // held: mark bars until the previous bar's cross is the exit (cross down for a long, up for a short)
        j = side === SIDE_LONG ? markHeldUntilCross(st, close, fast, slow, i, i1, start) : markHeldUntilCross(st, close, slow, fast, i, i1, start);
      } else {
        if (i <= from) j = Math.min(from + 1, i1); // targets before `from` are NaN: nothing moves
        else j = (allowShort ? nextCross(fast, slow, i - 1, i1 - 1) : nextCrossBelow(slow, fast, i - 1, i1 - 1)) + 1;
        if (j > i) markFlat(st, close, i, k, j - i);
      }
      if (j > i) {
        k += j - i;
        i = j;
        if (i >= i1) break;
      }
      // Bar i moves the book (the target of bar i-1 is a cross that changes the side), then is marked.
      const s = crossTargetAt(fast, slow, from, i - 1);
      if (s === s) {
        const t = s > 0 ? SIDE_LONG : allowShort ? SIDE_SHORT : SIDE_FLAT;
        if (t !== side) this.moveTo(i, t);
      }
      st.markBar(close, i, k);
      i++; k++;
    }
    this.k = k; this.next = i1;
  }

  /** The Stats, after the last advanceCross (SignalRun.finish with the cross target of the bar before the last). */
  finishCross(): Stats {
    return this.finish(this.end - 1 > this.start ? crossTargetAt(this.fast, this.slow, this.from, this.end - 2) : NaN);
  }
}
