/**
 * The growing candle feed of a paper or live bot: from an ExchangePort, backfill the last `windowBars` closed candles
 * (`fetchOHLCV`, paged), then follow closed candles — the port's `watchCandles` (a websocket where the venue streams,
 * REST polling otherwise) plus a clock tick at every bar's end — and expose a rolling window as a CandleFrame, so the
 * runner computes indicators exactly as the backtest does (the same `indicators` over enough history: the strategy's
 * warm-up, which covers EMA/Wilder settling).
 *
 * The closed-bar rule: a candle is closed when a newer one has started or its end time (open + timeframe) has passed
 * on the injected clock. Closed bars are emitted in order, without holes: a bar that should be closed and is missing
 * is fetched again (`fetchOHLCV` from its open time, `gapRetries` times, `gapRetryDelayMs` apart); a bar that still
 * does not come is reported as a `gap` event and the feed ends: the caller pauses the bot (never trade on a gap).
 * A bar emitted after its successor has already closed (catching up after a restart or a slow venue) is `stale`:
 * its decision moment has passed.
 */
import { usageError } from '../../engine/errors.ts';
import { makeFrame, type CandleFrame } from '../../engine/frame.ts';
import { timeframeMs } from '../../engine/timeframe.ts';
import type { Candle, ExchangePort } from '../exchange/port.ts';

export interface CandleFeedOptions {
  readonly port: Pick<ExchangePort, 'id' | 'fetchOHLCV' | 'watchCandles'>;
  readonly symbol: string;
  readonly timeframe: string;
  /** Closed bars kept in the window (>= 2). */
  readonly windowBars: number;
  /** Epoch ms (injected clock). */
  readonly now: () => number;
  /** Resolves after `ms` (of the injected clock), or early when `signal` aborts. */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Rows per fetchOHLCV page (default 500). */
  readonly pageLimit?: number;
  /** Re-fetches of a missing bar before it is declared a gap (default 3). */
  readonly gapRetries?: number;
  /** Default 2000 ms. */
  readonly gapRetryDelayMs?: number;
  /** Wait after a bar's end before the clock tick asks for it (venues publish a little late; default 1500 ms). */
  readonly settleMs?: number;
  /** Polling interval of watchCandles when the venue has no websocket (default: the port's). */
  readonly pollIntervalMs?: number;
}

export interface FeedBar {
  readonly kind: 'bar';
  /** The closed candle. */
  readonly candle: Candle;
  /** The window, its last row this candle (a copy: the runner may keep it until the next bar). */
  readonly frame: CandleFrame;
  /** True when the next bar had closed too by the time this one was emitted: too late to act on. */
  readonly stale: boolean;
}

export interface FeedGap {
  readonly kind: 'gap';
  /** Open time of the first missing bar. */
  readonly from: number;
  /** Open times of the missing bars (up to the newest closed one). */
  readonly missing: readonly number[];
  readonly message: string;
}

export type FeedEvent = FeedBar | FeedGap;

export class CandleFeed {
  readonly tfMs: number;
  private readonly cap: number;
  private readonly cols: { ts: Float64Array; open: Float64Array; high: Float64Array; low: Float64Array; close: Float64Array; volume: Float64Array };
  private n = 0;
  /** Candles seen but not yet emitted (forming, or ahead of a hole), by open time. */
  private readonly pending = new Map<number, Candle>();
  /** Open times of pending candles known closed (their values final). */
  private readonly final = new Set<number>();
  /** Open time of the newest candle seen at all (forming ones included). */
  private newestSeen = -Infinity;
  private readonly pageLimit: number;
  private readonly gapRetries: number;
  private readonly gapRetryDelayMs: number;
  private readonly settleMs: number;

  constructor(private readonly o: CandleFeedOptions) {
    this.tfMs = timeframeMs(o.timeframe);
    if (!(Number.isInteger(o.windowBars) && o.windowBars >= 2)) throw usageError('BAD_FEED_WINDOW', `a candle feed keeps at least 2 bars, got windowBars=${o.windowBars}`);
    this.cap = o.windowBars * 2;
    const f = () => new Float64Array(this.cap);
    this.cols = { ts: f(), open: f(), high: f(), low: f(), close: f(), volume: f() };
    this.pageLimit = o.pageLimit ?? 500;
    this.gapRetries = o.gapRetries ?? 3;
    this.gapRetryDelayMs = o.gapRetryDelayMs ?? 2000;
    this.settleMs = o.settleMs ?? 1500;
  }

  /** Open time of the newest closed bar in the window (NaN before the backfill). */
  get lastTs(): number { return this.n ? this.cols.ts[this.n - 1] : NaN; }
  /** Close of the newest closed bar in the window (NaN before the backfill). */
  get lastClose(): number { return this.n ? this.cols.close[this.n - 1] : NaN; }
  get length(): number { return Math.min(this.n, this.o.windowBars); }

  /** Open time of the newest bar closed by the clock alone. */
  private closedByClock(): number { return Math.floor(this.o.now() / this.tfMs) * this.tfMs - this.tfMs; }

  private append(c: Candle): void {
    if (this.n === this.cap) {
      // keep the newest windowBars rows: one copy every windowBars bars
      const keep = this.o.windowBars, from = this.n - keep;
      for (const col of Object.values(this.cols)) col.copyWithin(0, from, this.n);
      this.n = keep;
    }
    const i = this.n++;
    this.cols.ts[i] = c[0]; this.cols.open[i] = c[1]; this.cols.high[i] = c[2];
    this.cols.low[i] = c[3]; this.cols.close[i] = c[4]; this.cols.volume[i] = c[5];
  }

  /** The rolling window as a frame (a copy of the newest `windowBars` closed bars). */
  frame(): CandleFrame {
    const e = this.n, s = Math.max(0, e - this.o.windowBars);
    const c = this.cols;
    return makeFrame({ exchange: this.o.port.id, symbol: this.o.symbol, timeframe: this.o.timeframe }, {
      ts: c.ts.slice(s, e), open: c.open.slice(s, e), high: c.high.slice(s, e), low: c.low.slice(s, e), close: c.close.slice(s, e), volume: c.volume.slice(s, e),
    });
  }

  /**
   * Remembers candles (newer than the window). A candle seen while it was still forming is not final: its values
   * may change until it closes, so it is only emitted after a reply that shows it closed (a re-fetch if need be).
   */
  private note(rows: readonly Candle[], closed?: boolean): void {
    const t = this.o.now();
    for (const r of rows) {
      if (!(r[0] > this.lastTs) && this.n > 0) continue;
      this.pending.set(r[0], r);
      if (closed === true || r[0] + this.tfMs <= t) this.final.add(r[0]); else this.final.delete(r[0]);
      if (r[0] > this.newestSeen) this.newestSeen = r[0];
    }
  }

  private take(t: number): Candle | undefined { return this.final.has(t) ? this.pending.get(t) : undefined; }

  /** Open time of the newest bar that is closed: by the clock, or because a newer candle has started. */
  private closedUpTo(): number { return Math.max(this.closedByClock(), this.newestSeen - this.tfMs); }

  /**
   * Backfill: the newest `windowBars` closed candles, paged forward from where the window must start. Returns
   * undefined when the window is complete; a hole that re-fetches do not fill is returned as a gap (the caller does
   * not start trading); fewer bars than `minBars` (a young market) is a usage error.
   */
  async backfill(minBars: number): Promise<FeedGap | undefined> {
    const tf = this.tfMs;
    const last = this.closedByClock();
    let since = last - (this.o.windowBars - 1) * tf;
    for (let pages = 0; since <= last; pages++) {
      if (pages > 10_000) throw usageError('FEED_BACKFILL_RUNAWAY', `${this.o.port.id} ${this.o.symbol}: backfill did not reach the newest bar`);
      const rows = await this.o.port.fetchOHLCV(this.o.symbol, this.o.timeframe, since, this.pageLimit);
      const keep = rows.filter((r) => r[0] >= since && r[0] <= last);
      if (keep.length === 0) break;
      this.note(keep);
      since = keep[keep.length - 1][0] + tf;
    }
    // the first candle the venue has opens the window (a young market starts later); holes after it are gaps
    const first = Math.min(...this.final);
    if (!Number.isFinite(first)) throw usageError('NOT_ENOUGH_DATA', `${this.o.port.id} has no ${this.o.timeframe} candles of ${this.o.symbol} before ${new Date(last + tf).toISOString()}`);
    const gap = await this.emitThrough(first - tf, last, () => undefined);
    if (gap) return gap;
    if (this.n < minBars) {
      throw usageError('NOT_ENOUGH_DATA', `${this.o.port.id} ${this.o.symbol} ${this.o.timeframe}: ${this.n} closed bars and the strategy needs ${minBars} (its warm-up + 1); wait or pick an older market`);
    }
    return undefined;
  }

  /**
   * Moves bars (prev, upTo] from pending into the window, in order, re-fetching missing ones. `onBar` is called
   * for each (after it joined the window). A bar still missing after the retries returns the gap.
   */
  private async emitThrough(prev: number, upTo: number, onBar: (c: Candle) => void, signal?: AbortSignal): Promise<FeedGap | undefined> {
    const tf = this.tfMs;
    for (let t = prev + tf; t <= upTo; t += tf) {
      let c = this.take(t);
      for (let attempt = 0; c === undefined && attempt <= this.gapRetries; attempt++) {
        if (attempt > 0) await this.o.sleep(this.gapRetryDelayMs, signal);
        if (signal?.aborted) return undefined;
        this.note(await this.o.port.fetchOHLCV(this.o.symbol, this.o.timeframe, t, Math.min(this.pageLimit, Math.max(2, (upTo - t) / tf + 2))));
        c = this.take(t);
      }
      if (c === undefined) {
        const missing: number[] = [];
        for (let m = t; m <= upTo && missing.length < 1000; m += tf) if (!this.final.has(m)) missing.push(m);
        return {
          kind: 'gap', from: t, missing,
          message: `${this.o.port.id} ${this.o.symbol} ${this.o.timeframe}: the candle of ${new Date(t).toISOString()} is missing after ${this.gapRetries} re-fetches (${missing.length} missing up to ${new Date(upTo).toISOString()}); not trading across a gap`,
        };
      }
      this.pending.delete(t);
      this.final.delete(t);
      this.append(c);
      onBar(c);
    }
    return undefined;
  }

  /**
   * Follows closed bars until `signal` aborts or a gap cannot be filled (the gap event is the last one).
   * Call after backfill.
   */
  async *follow(signal?: AbortSignal): AsyncGenerator<FeedEvent, void, undefined> {
    if (this.n === 0) throw usageError('FEED_NOT_STARTED', 'backfill the candle feed before following it');
    const tf = this.tfMs;
    const inner = new AbortController();
    const stop = () => inner.abort();
    signal?.addEventListener('abort', stop, { once: true });
    const it = this.o.port.watchCandles(this.o.symbol, this.o.timeframe, { signal: inner.signal, pollIntervalMs: this.o.pollIntervalMs })[Symbol.asyncIterator]();
    type Woken = { k: 'update'; r: IteratorResult<{ candle: Candle; closed: boolean }> } | { k: 'tick' } | { k: 'error'; e: unknown };
    let nextUpdate: Promise<Woken> | undefined;
    const armUpdate = (): Promise<Woken> => it.next().then((r) => ({ k: 'update' as const, r }), (e: unknown) => ({ k: 'error' as const, e }));
    let streamDone = false;
    let tick: Promise<Woken> | undefined;
    let tickAt = NaN;
    try {
      while (!signal?.aborted) {
        // emit whatever is closed now
        // (each bar with the window as it was when it joined: bars emitted together each get their own)
        const ready: { c: Candle; frame: CandleFrame }[] = [];
        const gap = await this.emitThrough(this.lastTs, this.closedUpTo(), (c) => ready.push({ c, frame: this.frame() }), inner.signal);
        if (signal?.aborted) return;
        for (const { c, frame } of ready) {
          yield { kind: 'bar', candle: c, frame, stale: c[0] + 2 * tf <= this.o.now() };
          if (signal?.aborted) return;
        }
        if (gap) { yield gap; return; }
        // then wait for news: a stream update, or the end of the current bar (+ settle)
        // (one timer per bar end, reused across stream updates)
        const wakeAt = this.closedByClock() + 2 * tf + this.settleMs;
        if (!tick || tickAt !== wakeAt) {
          tickAt = wakeAt;
          const p: Promise<Woken> = this.o.sleep(Math.max(0, wakeAt - this.o.now()), inner.signal).then((): Woken => ({ k: 'tick' }));
          tick = p;
          void p.then(() => { if (tick === p) tick = undefined; });
        }
        if (!streamDone && !nextUpdate) nextUpdate = armUpdate();
        const w = await (streamDone ? tick : Promise.race([nextUpdate as Promise<Woken>, tick]));
        if (w.k === 'tick') tick = undefined;
        if (w.k === 'update') {
          nextUpdate = undefined;
          if (w.r.done) streamDone = true; else this.note([w.r.value.candle], w.r.value.closed);
        } else if (w.k === 'error') {
          // the stream failed (the port already retried): carry on with the clock tick and re-fetches alone
          nextUpdate = undefined;
          streamDone = true;
        }
      }
    } finally {
      signal?.removeEventListener('abort', stop);
      inner.abort();
      void it.return?.();
    }
  }
}

/** Bars a strategy's window needs: its warm-up (settling included) + 1 decided bar, doubled for margin (>= 2). */
export function windowBarsFor(warmupBars: number): number {
  const w = Math.max(0, Math.ceil(warmupBars));
  return Math.max(2, 2 * w + 2);
}
