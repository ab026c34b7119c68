/**
 * The sweep kernel: the statistics of one signal backtest, in one pass that never stores the equity curve.
 *
 * `signalRunStats(frame, signals, config, start, end)` returns exactly (bit for bit) what
 * `computeStats(statsInputFromSim(runSignalBacktest(...fast path...), frame, config))` returns for the same signals:
 * the simulator's own Book, recording nothing but what statistics need (`record: false`), executes the same fills in
 * the same order (next-open, slippage, fees, lot rounding, minimum notional, shorts, close-at-end), and each equity
 * mark goes through the same accumulations as computeStats' pass (Σ r, Σ r², Σ min(r,0)², exposure, drawdown
 * periods) in the same order. The tests compare the two on
 * real and synthetic data for every fill option.
 *
 * What makes it cheaper: no equity or position column is written, and while the book is flat the marks are all
 * equal to the cash, so the loop only scans the signals for the next entry and accounts the flat stretch in O(1)
 * (an unchanged mark adds no return; it can only move the drawdown's peak index). A held position is first scanned
 * for the bar that moves the book, then its bars are marked by one tight loop without an exit test (`markHeld`,
 * shared with the cross kernel, cross-run.ts).
 *
 * The run is resumable (`SignalRun`: `advance` over consecutive bar ranges, then `finish`), so a sweep can feed it
 * signals block by block: many combinations then walk the same cache-sized block of their shared indicator columns
 * one after the other, instead of each streaming whole columns from memory (see runCombosBlocked).
 */
import { usageError } from '../errors.ts';
import type { CandleFrame } from '../frame.ts';
import { computeStats, curveStats, type Stats } from '../metrics/stats.ts';
import { Book, SIDE_FLAT, SIDE_LONG, SIDE_SHORT, type TradeStore } from '../sim/book.ts';
import type { FillConfig } from '../sim/fill-config.ts';
import { timeframeMs } from '../timeframe.ts';


/**
 * Statistics of the fast-path backtest of `sig` (one target per bar: NaN = no decision, > 0 long, < 0 short or flat,
 * 0 flat) over the measured bars [start, end) of `frame`. The fill configuration must already be valid
 * (`validateFillConfig`).
 */
export function signalRunStats(frame: CandleFrame, sig: Float64Array, config: Readonly<FillConfig>, start: number, end: number): Stats {
  if (sig.length !== frame.length) throw usageError('BAD_SIGNALS', `signals must have one value per bar (${frame.length}), got ${sig.length}`);
  const run = new SignalRun(frame, config, start, end);
  if (end - start > 1) run.advance(sig, 0, start + 1, end - 1);
  return run.finish(end - 1 > start ? sig[end - 2] : NaN);
}

/**
 * One fast-path backtest fed in order: `advance(sig, base, i0, i1)` applies the targets of bars i0-1 .. i1-2 (read as
 * `sig[(i - 1) - base]`) at the opens of bars i0 .. i1-1 and marks those bars; the ranges must be consecutive, from
 * start + 1 up to the last measured bar (exclusive); `finish(lastTarget)` handles the last measured bar (its move,
 * close-at-end, its mark) with the target of the bar before it, and returns the Stats.
 */
export class SignalRun {
  /** The simulator's book, recording nothing but what statistics need (`record: false`). */
  protected readonly book: Book;
  /** The marks' accumulators, and the book's cash and position (m.cash, m.pos) after the last fill. */
  protected readonly m: Marks;
  protected side: number;
  /** Measured index of the next bar to mark. */
  protected k = 1;
  protected next: number;
  protected readonly last: number;

  /** `store`: trade columns to reuse (BookOptions.trades); `tradeStore()` gives them back, grown, after `finish`. */
  constructor(protected readonly frame: CandleFrame, protected readonly cfg: Readonly<FillConfig>, protected readonly start: number, protected readonly end: number,
    store?: TradeStore) {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end <= start || end > frame.length) {
      throw usageError('BAD_RANGE', `measured range [${start}, ${end}) must lie inside the frame's ${frame.length} bars`);
    }
    this.book = new Book(frame, cfg, { record: false, trades: store });
    this.m = new Marks(cfg.initialCash, frame.ts, start, timeframeMs(frame.timeframe));
    this.m.cash = this.book.cash; this.m.pos = this.book.pos; this.side = this.book.side;
    this.m.markBar(frame.close, start, 0);
    this.next = start + 1;
    this.last = end - 1;
  }

  /** Move the book to side `t` at bar i's open; the marks take its new cash and position. */
  protected moveTo(i: number, t: number): void {
    const book = this.book, st = this.m;
    book.moveTo(i, t, '');
    st.cash = book.cash; st.pos = book.pos; this.side = book.side;
  }

  advance(sig: Float64Array, base: number, i0: number, i1: number): void {
    if (i0 !== this.next || i1 < i0 || i1 > this.last) throw usageError('BAD_RANGE', `advance(${i0}, ${i1}) must continue at bar ${this.next} and stop at or before ${this.last}`);
    const close = this.frame.close;
    const allowShort = this.cfg.allowShort;
    const shortSide = allowShort ? SIDE_SHORT : SIDE_FLAT;
    const st = this.m;
    let k = this.k;
    let i = i0;
    const off = 1 + base; // sig index of bar i's target = i - off
    while (i < i1) {
      const side = this.side;
      if (side === SIDE_FLAT) {
        // Flat: find the first bar j whose previous signal moves the book; bars i..j-1 are marked at the cash.
        let j = i;
        if (allowShort) {
          while (j < i1) { const s = sig[j - off]; if (s > 0 || s < 0) break; j++; }
        } else {
          while (j < i1 && !(sig[j - off] > 0)) j++;
        }
        if (j > i) {
          markFlat(st, close, i, k, j - i);
          k += j - i;
          i = j;
          continue;
        }
      } else {
        // In a position: find the first bar whose previous target moves the book, then mark the bars before it.
        let j = i;
        if (side === SIDE_LONG) { while (j < i1 && !(sig[j - off] <= 0)) j++; } else { while (j < i1 && !(sig[j - off] >= 0)) j++; }
        markHeld(st, close, i, j, this.start);
        k += j - i;
        i = j;
        if (i >= i1) break;
      }
      // Bar i moves the book (as the simulator's fast path does), then is marked.
      const s = sig[i - off];
      if (s !== side && s === s) {
        const t = s > 0 ? SIDE_LONG : s < 0 ? shortSide : SIDE_FLAT;
        if (t !== side) this.moveTo(i, t);
      }
      st.markBar(close, i, k);
      i++; k++;
    }
    this.k = k; this.next = i1;
  }

  /** The trade columns the book wrote into (possibly grown): lend them to the next run once this one has finished. */
  tradeStore(): TradeStore {
    return this.book.tradeStore();
  }

  finish(lastTarget: number): Stats {
    const { frame, cfg, start, end, book, m: st } = this;
    if (this.next !== this.last && end - start > 1) throw usageError('BAD_RANGE', `finish() before the run reached bar ${this.last} (at ${this.next})`);
    const close = frame.close;
    const n = end - start, last = this.last;
    let finalE: number;
    if (n === 1) {
      finalE = st.cash + st.pos * close[start];
    } else {
      const s = lastTarget;
      if (s !== this.side && s === s) {
        const t = s > 0 ? SIDE_LONG : s < 0 ? (cfg.allowShort ? SIDE_SHORT : SIDE_FLAT) : SIDE_FLAT;
        if (t !== this.side) this.moveTo(last, t);
      }
      let e = st.cash + st.pos * close[last];
      let p = st.pos;
      if (cfg.closeAtEnd && book.side !== SIDE_FLAT) {
        book.close(last, close[last], '');
        e = book.cash;
        p = 0;
      }
      st.mark(e, p, n - 1);
      finalE = e;
    }
    if (st.trough !== Infinity) st.closePeriod(n - 1);
    return assemble(frame, cfg, start, end, book, st, finalE);
  }
}

/**
 * A flat stretch of `count` bars from bar i (measured index k): the first is marked (the cash); the rest repeat the same
 * mark: no return, no exposure; when it stands at the peak each mark re-sets the peak index (and there is no open
 * drawdown period to close).
 */
export function markFlat(st: Marks, close: Float64Array, i: number, k: number, count: number): void {
  st.markBar(close, i, k);
  if (st.prev >= st.peak) st.peakIdx = k + count - 1;
}

/**
 * Mark bars i0 .. i1 − 1 (exclusive) while a position is held (st.cash and the non-zero st.pos constant): exactly
 * Marks.mark per bar, with the accumulators in locals. The bar's measured index is i − start.
 */
export function markHeld(st: Marks, close: Float64Array, i0: number, i1: number, start: number): void {
  const cash = +st.cash, pos = +st.pos;
  // `+` keeps the accumulators raw doubles in registers (engine/metrics/stats.ts: equityPass). The loop only tracks the
  // peak; a mark that ends an open drawdown period leaves it, and the period is closed outside (Marks.closePeriod):
  // fewer live values in the loop, which is what limits it.
  let prev = +st.prev, sum = +st.sum, sumSq = +st.sumSq, downSq = +st.downSq;
  let peak = +st.peak, peakBar = st.peakIdx + start, trough = +st.trough;
  let i = i0;
  while (i < i1) {
    for (; i < i1; i++) {
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
    if (i < i1) {
      // bar i's mark (= prev) reaches the peak: close the open period at it, then it is the new peak
      st.peak = peak; st.peakIdx = peakBar - start; st.trough = trough;
      st.closePeriod(i - start);
      peak = prev;
      peakBar = i;
      trough = Infinity;
      i++;
    }
  }
  st.prev = prev; st.sum = sum; st.sumSq = sumSq; st.downSq = downSq; st.exposed += i1 - i0; // every bar here holds a position
  st.peak = peak; st.peakIdx = peakBar - start; st.trough = trough;
}

/** The Stats from the accumulators: curve fields by curveStats and trade fields by computeStats (engine/metrics/stats.ts). */
function assemble(frame: CandleFrame, cfg: Readonly<FillConfig>, start: number, end: number, book: Book, st: Marks, equityFinal: number): Stats {
  const { close, ts } = frame;
  const initialCash = cfg.initialCash;
  const n = end - start, last = end - 1;
  // Trade statistics from computeStats itself (over a one-mark curve), then the curve fields exactly as it computes them.
  const tradePart = computeStats({
    ts: ts.subarray(start, start + 1), equity: new Float64Array([initialCash]), position: new Float64Array(1),
    trades: book.trades(), timeframe: frame.timeframe, initialCash, feesPaid: book.feesPaid,
    skippedOrders: book.skippedOrders, openTrades: book.side !== SIDE_FLAT ? 1 : 0,
    firstPrice: frame.open[start], lastPrice: close[last],
  });
  const { sum, sumSq, downSq, exposed, peak, maxDepth, depthSum, ddCount, maxBars, maxMs } = st;
  return {
    ...tradePart,
    ...curveStats({ n, sum, sumSq, downSq, exposed, peak, maxDepth, depthSum, ddCount, maxBars, maxMs, firstTs: ts[start], lastTs: ts[last], equityFinal, initialCash, timeframe: frame.timeframe, firstPrice: frame.open[start], lastPrice: close[last] }),
  };
}

/** computeStats' accumulators over the marks (engine/metrics/stats.ts: equityPass), for the per-event marks. */
export class Marks {
  // Every double field has an initializer: a field first defined as undefined (a bare `x: number;` under ES2022 class
  // fields) stays a tagged field, and each double stored into it allocates a new heap number.
  prev = 0; sum = 0; sumSq = 0; downSq = 0; exposed = 0;
  peak = 0; peakIdx = -1; trough = Infinity;
  maxDepth = 0; depthSum = 0; ddCount = 0; maxBars = 0; maxMs = 0;
  /**
   * The book's cash and signed position, which the marks of the bars to come are made of. Kept here (set after each
   * fill) so that the marking loops read them from the object: doubles passed as arguments to a function that is not
   * inlined are boxed, and the loops are called thousands of times per combination.
   */
  cash = 0; pos = 0;
  constructor(initialCash: number, private readonly ts: Float64Array, private readonly start: number, private readonly tfMs: number) {
    this.prev = initialCash;
    this.peak = initialCash;
    this.cash = initialCash;
  }

  /** The mark of bar i (measured index k) at its close, with the current cash and position. */
  markBar(close: Float64Array, i: number, k: number): void {
    this.mark(this.cash + this.pos * close[i], this.pos, k);
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
