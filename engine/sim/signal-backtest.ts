/**
 * The signal portfolio simulator: one strategy, one market, one position at a time (long, short or flat).
 *
 * Timing (CONVENTIONS §6): the decision taken at bar i's close is filled at bar i+1's open, plus adverse
 * slippage, minus a fee of feeRate × notional on every fill. Decisions start at bar `startIndex` (indicators
 * were computed over the warm-up bars before it); the measured curves cover [startIndex, endIndex); the
 * decision at the last measured bar has no next bar in the range and is never filled.
 *
 * Two decision paths give the same fills: `signals` (the strategy's vectorised fast path, one target per bar,
 * NaN = no decision) and `decide` (called per bar with the true position). The fast path is a tight loop over
 * Float64Arrays that allocates only when a fill happens.
 */
import { usageError } from '../errors.ts';
import type { CandleFrame } from '../frame.ts';
import type { ParamValues } from '../params.ts';
import { intentsOf, type AnyStrategy, type BarContext, type IndicatorMemo, type Indicators, type TargetSide } from '../strategy.ts';
import { Book, SIDE_FLAT, SIDE_LONG, SIDE_SHORT } from './book.ts';
import { validateFillConfig, type FillConfig } from './fill-config.ts';
import type { Fill, SimResult, Trade } from './sim-result.ts';

export interface SignalBacktestOptions {
  /** First measured bar (and first decision). Should be >= the strategy's warm-up. */
  startIndex: number;
  /** End of the measured range, exclusive (default: frame.length). */
  endIndex?: number;
  /** 'auto' (default): `signals` when the strategy has it, else per-bar `decide`. */
  path?: 'fast' | 'per-bar' | 'auto';
  /** Indicators already computed for this frame and these params (e.g. shared across a sweep). */
  indicators?: Indicators;
  /**
   * Buffers to write the equity and position curves into instead of allocating them (each at least
   * endIndex − startIndex long; the result's arrays are views on them). For sweeps that run many backtests
   * and keep only their statistics: fresh 4 MB arrays cost more in page faults than the simulation itself.
   * Whatever the buffers held before is overwritten, including a previous result that used them. The position
   * curve is written when the result's `position` is first read (it is kept as the fills until then).
   */
  out?: { equity: Float64Array; position: Float64Array };
}

/** Default reasons, the same on both paths so that a strategy without reasons gives identical fills. */
const REASON_LONG = 'target long';
const REASON_FLAT = 'target flat';
const REASON_SHORT = 'target short';
export const REASON_END = 'end of data';

function checkRange(frame: CandleFrame, opts: SignalBacktestOptions): { start: number; end: number } {
  const start = opts.startIndex;
  const end = opts.endIndex ?? frame.length;
  if (!Number.isInteger(start) || start < 0 || start >= frame.length) {
    throw usageError('BAD_RANGE', `startIndex=${start} must be an integer in [0, ${frame.length - 1}] (the frame has ${frame.length} bars)`);
  }
  if (!Number.isInteger(end) || end <= start || end > frame.length) {
    throw usageError('BAD_RANGE', `endIndex=${end} must be an integer in [${start + 1}, ${frame.length}] (after startIndex=${start}, at most the frame length)`);
  }
  return { start, end };
}

export function runSignalBacktest(
  strategy: AnyStrategy,
  frame: CandleFrame,
  params: ParamValues,
  config: FillConfig,
  opts: SignalBacktestOptions,
): SimResult {
  const cfg = validateFillConfig(config);
  const { start, end } = checkRange(frame, opts);
  if (strategy.kind !== 'signal') {
    throw usageError('NOT_A_SIGNAL_STRATEGY', `strategy '${strategy.id}' is an order-level strategy (kind '${strategy.kind}'); the signal simulator runs signal strategies only`);
  }
  const want = opts.path ?? 'auto';
  if (want !== 'auto' && want !== 'fast' && want !== 'per-bar') {
    throw usageError('BAD_PATH', `path '${String(want)}' is not allowed; expected auto, fast or per-bar`);
  }
  if (want === 'fast' && !strategy.signals) {
    throw usageError('NO_FAST_PATH', `strategy '${strategy.id}' has no vectorised signals; use path 'per-bar' or 'auto'`);
  }
  const path: 'fast' | 'per-bar' = want === 'per-bar' || !strategy.signals ? 'per-bar' : 'fast';
  if (opts.indicators) {
    for (const [name, col] of Object.entries(opts.indicators)) {
      if (col.length !== frame.length) {
        throw usageError('BAD_INDICATORS', `indicator '${name}' has ${col.length} values but the frame has ${frame.length} bars; pass indicators computed on this frame`);
      }
    }
  }
  const n = end - start;
  const { equity, position: positionOut } = curves(n, opts.out);
  const book = new Book(frame, cfg);

  // Indicator and target columns live only for this call: they are written into the module's scratch columns
  // (lent through a memo, and as `signals`' out), which the next run reuses, unless a nested run (from inside
  // indicators, signals or decide) finds them taken; then it allocates its own.
  const lend = !scratchInUse;
  if (lend) scratchInUse = true;
  try {
    const memo = lend && !opts.indicators ? new ScratchMemo(frame.length) : undefined;
    const ind = opts.indicators ?? strategy.indicators(frame, params, memo);
    if (path === 'fast') {
      const out = lend ? scratchColumn(memo ? memo.lent : 0, frame.length) : undefined;
      const sig = strategy.signals!(frame, ind, params, out);
      if (!(sig instanceof Float64Array) || sig.length !== frame.length) {
        throw usageError('BAD_SIGNALS', `strategy '${strategy.id}' signals() must return a Float64Array of ${frame.length} values (one per bar), got ${sig instanceof Float64Array ? sig.length : typeof sig}`);
      }
      runFast(book, frame, sig, start, end, cfg.allowShort, equity);
    } else {
      runPerBar(book, strategy, frame, ind, params, start, end, cfg.allowShort, equity);
    }
  } finally {
    if (lend) scratchInUse = false;
  }

  const last = end - 1;
  if (cfg.closeAtEnd && book.side !== SIDE_FLAT) {
    book.close(last, frame.close[last], REASON_END);
    equity[n - 1] = book.cash;
  }
  let fills: Fill[] | undefined;
  let trades: Trade[] | undefined;
  let position: Float64Array | undefined;
  return {
    startIndex: start, endIndex: end,
    ts: frame.ts.subarray(start, end), equity,
    get position() { return (position ??= book.positionCurve(start, positionOut ?? new Float64Array(n))); },
    set position(v: Float64Array) { position = v; },
    exposureBars: book.exposureBars(start, end),
    get trades() { return (trades ??= book.tradeObjects()); },
    set trades(v: Trade[]) { trades = v; },
    get fills() { return (fills ??= book.fillObjects()); },
    set fills(v: Fill[]) { fills = v; },
    tradeColumns: book.tradeColumns(),
    openPosition: book.openPosition(frame.close[last]),
    cash: book.cash, feesPaid: book.feesPaid, skippedOrders: book.skippedOrders, skipped: book.skipped,
    path,
  };
}

/**
 * Scratch columns of the most recent frame length (at most SCRATCH_MAX), lent to one run at a time for its
 * indicator and target columns, which never escape it (a SimResult exposes neither) and are overwritten by the next
 * run. Fresh 4 MB columns cost ~1–1.5 ms each in first-touch page faults and garbage collection, as much as
 * simulating a year of 1m bars. They are kept until a run on a frame of another length replaces them.
 */
const SCRATCH_MAX = 8;
let scratch: Float64Array[] = [];
let scratchLength = -1;
let scratchInUse = false;

/** Scratch column `k` for frames of `n` bars; undefined past SCRATCH_MAX (the caller then allocates). */
function scratchColumn(k: number, n: number): Float64Array | undefined {
  if (scratchLength !== n) { scratch = []; scratchLength = n; }
  if (k >= SCRATCH_MAX) return undefined;
  return (scratch[k] ??= new Float64Array(n));
}

/**
 * The memo a run passes to `strategy.indicators`: within the run a key is computed once; each computed column is
 * offered the next scratch column as its output (`lent` counts the ones used). Nothing is kept across runs.
 */
class ScratchMemo implements IndicatorMemo {
  lent = 0;
  private readonly cols = new Map<string, Float64Array>();
  constructor(private readonly n: number) {}
  column(key: string, compute: (out?: Float64Array) => Float64Array): Float64Array {
    const hit = this.cols.get(key);
    if (hit) return hit;
    const out = scratchColumn(this.lent, this.n);
    const col = compute(out);
    if (out !== undefined && col.buffer === out.buffer) this.lent++;
    this.cols.set(key, col);
    return col;
  }
}

/** The equity curve, and the buffer the position curve is written into when it is read (undefined: allocated then). */
function curves(n: number, out: SignalBacktestOptions['out']): { equity: Float64Array; position: Float64Array | undefined } {
  if (out === undefined) return { equity: new Float64Array(n), position: undefined };
  const ok = (a: unknown) => a instanceof Float64Array && a.length >= n;
  if (!ok(out.equity) || !ok(out.position) || out.equity.buffer === out.position.buffer && overlaps(out.equity, out.position, n)) {
    throw usageError('BAD_OUT_BUFFERS', `opts.out needs two non-overlapping Float64Arrays (equity, position) of at least ${n} values (the measured bars)`);
  }
  return { equity: out.equity.subarray(0, n), position: out.position.subarray(0, n) };
}

function overlaps(a: Float64Array, b: Float64Array, n: number): boolean {
  const a0 = a.byteOffset, b0 = b.byteOffset, len = 8 * n;
  return a0 < b0 + len && b0 < a0 + len;
}

/**
 * The fast path. Per bar: apply the previous bar's target at this open (only when it differs from the current side:
 * the book is then called and may allocate), then mark equity at this close. Signal values: NaN = no decision,
 * > 0 long, < 0 short (flat when shorts are not allowed), 0 flat. A steady or absent signal costs one load and two
 * well-predicted comparisons.
 *
 * Every bar's open is loaded, though only a fill uses it: read as a stream it is prefetched, while a load at each
 * fill alone (every ~25 bars, irregularly) missed the cache each time: ~80 ns a fill, 1.5 ms over the 20,000 fills of
 * a year of 1m sma-cross, against ~0.4 ms for the stream. One loop instead of a scan for the next move and a marking
 * loop: that spent a second mispredicted branch per fill.
 */
function runFast(book: Book, frame: CandleFrame, sig: Float64Array, start: number, end: number, allowShort: boolean,
  equity: Float64Array): void {
  const close = frame.close, open = frame.open;
  const shortSide = allowShort ? SIDE_SHORT : SIDE_FLAT;
  let cash = book.cash, pos = book.pos, side = book.side;
  equity[0] = cash + pos * close[start];
  // Curve index k of bar i is i - start. Marked even while flat: a non-finite close must still show.
  for (let i = start + 1; i < end; i++) {
    const s = sig[i - 1];
    const px = open[i];
    if (s !== side && s === s) {
      const t = s > 0 ? SIDE_LONG : s < 0 ? shortSide : SIDE_FLAT;
      if (t !== side) {
        book.moveAt(i, t, px, t === SIDE_LONG ? REASON_LONG : s < 0 ? REASON_SHORT : REASON_FLAT);
        cash = book.cash; pos = book.pos; side = book.side;
      }
    }
    equity[i - start] = cash + pos * close[i];
  }
}

/** Mutable per-bar context, reused across bars (the strategy sees it as readonly). */
interface MutableContext {
  i: number;
  frame: CandleFrame;
  ind: Indicators;
  params: ParamValues;
  position: BarContext<ParamValues>['position'];
  state: unknown;
}

const sideCode = (side: TargetSide, allowShort: boolean): number =>
  side === 'long' ? SIDE_LONG : side === 'short' ? (allowShort ? SIDE_SHORT : SIDE_FLAT) : side === 'flat' ? SIDE_FLAT : NaN;

/** The per-bar path: `decide` at each bar's close with the true position; its last target intent is filled at the next open. */
function runPerBar(book: Book, strategy: AnyStrategy, frame: CandleFrame, ind: Indicators, params: ParamValues,
  start: number, end: number, allowShort: boolean, equity: Float64Array): void {
  const close = frame.close;
  const ctx: MutableContext = { i: start, frame, ind, params, position: book.view(), state: strategy.initState(params) };
  let pending = NaN;
  let pendingReason = '';
  for (let i = start, k = 0; i < end; i++, k++) {
    if (pending === pending) {
      if (pending !== book.side) book.moveTo(i, pending, pendingReason);
      pending = NaN;
    }
    equity[k] = book.cash + book.pos * close[i];
    if (i === end - 1) break; // no next bar in the measured range: this decision could never be filled
    ctx.i = i;
    ctx.position = book.view();
    const intents = intentsOf(strategy.decide(ctx as BarContext<ParamValues>));
    for (const it of intents) {
      if (it.type !== 'target') {
        throw usageError('UNSUPPORTED_INTENT', `strategy '${strategy.id}' returned a '${it.type}' intent at bar ${i}; the signal simulator accepts target intents only (goLong, goShort, goFlat)`);
      }
      const t = sideCode(it.side, allowShort);
      if (t !== t) throw usageError('BAD_TARGET', `strategy '${strategy.id}' returned target side '${String(it.side)}' at bar ${i}; expected long, short or flat`);
      pending = t;
      pendingReason = it.reason ?? (it.side === 'long' ? REASON_LONG : it.side === 'short' ? REASON_SHORT : REASON_FLAT);
    }
  }
}
