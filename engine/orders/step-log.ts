/**
 * The order simulator's per-step account series (equity, cash, inventory value, capital in use, open orders,
 * realised, unrealised, fees), kept as a log of changes and expanded into one column per series on first read.
 *
 * The account (cash, capital in use, realised, fees, and each market's base and open cost) changes only at a step with
 * a fill: the simulator logs it at the end of such a step (`account`); every other step repeats it. The open-order
 * count is that of the orders placed at or before the step and not closed by it, counted from the order columns (an
 * order is placed and closed at bars of its market, each the bar of a step). Equity, inventory value and unrealised
 * P&L also move with the marks, each market's latest close: they are recomputed from the logged values and the
 * candles, with the same float operations in the same order as a per-step recording would use, so every column is
 * bit-identical to one filled step by step.
 */
import type { CandleFrame } from '../frame.ts';
import type { LotLedger } from '../lots/ledger.ts';
import { grownCapacity, grownColumn } from '../columns.ts';

/** The expanded columns, one value per step of the timeline. */
export interface StepColumns {
  readonly equity: Float64Array;
  readonly cash: Float64Array;
  readonly inv: Float64Array;
  readonly cap: Float64Array;
  readonly openOrders: Float64Array;
  readonly realised: Float64Array;
  readonly unrealised: Float64Array;
  readonly fees: Float64Array;
}

/** Where orders were placed and closed (the order store's columns): bars of each order's market; doneBar -1 = open. */
export interface OrderBars {
  readonly n: number;
  readonly market: Uint16Array | Int32Array;
  readonly placedBar: Int32Array;
  readonly doneBar: Int32Array;
}

/** The marks as the simulator sets them: where each market's rows start and end, and its mark before its first bar. */
export interface MarkSource {
  readonly frames: readonly CandleFrame[];
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly mark0: Float64Array;
}

export class StepLog {
  /** Values per account row: cash, capital in use, realised, fees, then base and open cost of each market. */
  private readonly width: number;
  private nAcc = 0;
  private accStep = new Int32Array(256);
  private acc: Float64Array;

  /** `steps`: the run's length, when known (the log then grows to the size the run is heading for, engine/columns.ts). */
  constructor(readonly markets: number, private readonly steps = 0) {
    this.width = 4 + 2 * markets;
    this.acc = new Float64Array(256 * this.width);
  }

  /** The cash to log with the next `account` (a field: V8 boxes the double arguments of calls it does not inline). */
  cash = 0;

  /** Log the account (`cash` and the ledger's totals) at the end of step `s` (once per step at most, steps ascending). */
  account(s: number, ledger: LotLedger): void {
    if (this.nAcc === this.accStep.length) this.grow(this.steps > 0 ? (s + 1) / this.steps : 0);
    const k = this.nAcc++;
    this.accStep[k] = s;
    const a = this.acc, o = k * this.width, M = this.markets;
    a[o] = this.cash; a[o + 1] = ledger.totalOpenCost; a[o + 2] = ledger.realised; a[o + 3] = ledger.fees;
    const base = ledger.base, openCost = ledger.openCost;
    for (let m = 0; m < M; m++) { a[o + 4 + m] = base[m]; a[o + 4 + M + m] = openCost[m]; }
  }

  private grow(progress: number): void {
    const cap = grownCapacity(this.accStep.length, progress);
    this.accStep = grownColumn(this.accStep, cap);
    this.acc = grownColumn(this.acc, cap * this.width);
  }

  /** Equity at the last step (the one value the totals need), computed as `expand` does. */
  lastEquity(T: Float64Array, src: MarkSource): number {
    const S = T.length;
    const k = this.nAcc - 1;
    if (S === 0 || k < 0) return NaN;
    const M = this.markets, a = this.acc, o = k * this.width;
    let iv = 0;
    for (let m = 0; m < M; m++) {
      const b = a[o + 4 + m];
      if (b !== 0) iv += b * markAt(src, m, T[S - 1]);
    }
    return a[o] + iv;
  }

  /** The columns for timeline `T`. */
  expand(T: Float64Array, src: MarkSource, orders: OrderBars): StepColumns {
    const S = T.length, M = this.markets, W = this.width;
    const equity = new Float64Array(S), cash = new Float64Array(S), inv = new Float64Array(S), cap = new Float64Array(S);
    const openOrders = openCounts(T, src, orders), realised = new Float64Array(S), unrealised = new Float64Array(S), fees = new Float64Array(S);
    const a = this.acc, accStep = this.accStep, nAcc = this.nAcc;
    let ja = -1;
    let c = 0, inUse = 0, re = 0, fe = 0;
    if (M === 1) {
      // one market: step s is row start + s, its mark that row's close
      const close = src.frames[0].close, r0 = src.start[0];
      let b = 0, oc = 0;
      for (let s = 0; s < S; s++) {
        if (ja + 1 < nAcc && accStep[ja + 1] === s) {
          const o = ++ja * W;
          c = a[o]; inUse = a[o + 1]; re = a[o + 2]; fe = a[o + 3]; b = a[o + 4]; oc = a[o + 5];
        }
        let iv = 0, un = 0;
        if (b !== 0) { const mk = close[r0 + s]; iv += b * mk; un += b * mk - oc; }
        equity[s] = c + iv; cash[s] = c; inv[s] = iv; cap[s] = inUse;
        realised[s] = re; unrealised[s] = un; fees[s] = fe;
      }
      return { equity, cash, inv, cap, openOrders, realised, unrealised, fees };
    }
    const mark = Float64Array.from(src.mark0), ptr = Int32Array.from(src.start);
    let o = 0;
    for (let s = 0; s < S; s++) {
      const t = T[s];
      for (let m = 0; m < M; m++) {
        const f = src.frames[m], r = ptr[m];
        if (r < src.end[m] && f.ts[r] === t) { mark[m] = f.close[r]; ptr[m] = r + 1; }
      }
      if (ja + 1 < nAcc && accStep[ja + 1] === s) {
        o = ++ja * W;
        c = a[o]; inUse = a[o + 1]; re = a[o + 2]; fe = a[o + 3];
      }
      let iv = 0, un = 0;
      if (ja >= 0) {
        for (let m = 0; m < M; m++) {
          const b = a[o + 4 + m];
          if (b !== 0) { iv += b * mark[m]; un += b * mark[m] - a[o + 4 + M + m]; }
        }
      }
      equity[s] = c + iv; cash[s] = c; inv[s] = iv; cap[s] = inUse;
      realised[s] = re; unrealised[s] = un; fees[s] = fe;
    }
    return { equity, cash, inv, cap, openOrders, realised, unrealised, fees };
  }
}

/** Open orders at the end of each step: placed at or before it, not closed at or before it. */
function openCounts(T: Float64Array, src: MarkSource, orders: OrderBars): Float64Array {
  const S = T.length;
  const delta = new Int32Array(S + 1);
  const stepOf = (m: number, bar: number): number => {
    if (src.frames.length === 1) return bar - src.start[0];
    const t = src.frames[m].ts[bar];
    let lo = 0, hi = S;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (T[mid] < t) lo = mid + 1; else hi = mid; }
    return lo;
  };
  for (let id = 0; id < orders.n; id++) {
    const m = orders.market[id];
    delta[stepOf(m, orders.placedBar[id])]++;
    const done = orders.doneBar[id];
    if (done >= 0) delta[stepOf(m, done)]--;
  }
  const out = new Float64Array(S);
  let open = 0;
  for (let s = 0; s < S; s++) { open += delta[s]; out[s] = open; }
  return out;
}

/** Market m's mark at timeline timestamp t: the close of its last row at or before t, else its mark before its first bar. */
function markAt(src: MarkSource, m: number, t: number): number {
  const f = src.frames[m];
  let lo = src.start[m], hi = src.end[m];
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (f.ts[mid] <= t) lo = mid + 1; else hi = mid; }
  return lo > src.start[m] ? f.close[lo - 1] : src.mark0[m];
}
