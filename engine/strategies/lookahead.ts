/**
 * Look-ahead check: a decision at bar i may depend on rows <= i only. At many cut points i, the bars after i are
 * replaced by random (seeded) but valid candles, and separately the frame is truncated to rows 0..i; every decision
 * at or before i, by the per-bar `decide` path and by the `signals` fast path, must equal the decision on the
 * full data. Pure: the random source is a seeded PRNG.
 */
import { seededRandom } from '../random.ts';
import { makeFrame, sliceFrame, type CandleFrame } from '../frame.ts';
import type { ParamValues } from '../params.ts';
import type { AnyStrategy } from '../strategy.ts';
import { decisionsOf } from './decisions.ts';

export interface LookaheadOptions {
  /** Number of cut points, spread evenly from the warm-up to the second-to-last bar (default 40). */
  readonly cuts?: number;
  /** Seed of the perturbation (default 1). */
  readonly seed?: number;
}

export interface LookaheadViolation {
  /** Cut point: rows after it were altered or removed. */
  readonly cut: number;
  /** First bar <= cut whose decision changed. */
  readonly bar: number;
  readonly path: 'decide' | 'signals';
  readonly variant: 'perturbed' | 'truncated';
  /** Target code on the full data and on the altered data (NaN = no decision). */
  readonly full: number;
  readonly altered: number;
}

/** The project's seeded PRNG (engine/random.ts), under the name engine/checks uses for look-ahead cuts and Monte Carlo. */
export const seeded = seededRandom;

/** A copy of `f` whose rows after `cut` are a random walk from close[cut]: valid OHLCV (low <= open, close <= high). */
export function perturbFutureBars(f: CandleFrame, cut: number, rnd: () => number): CandleFrame {
  const open = f.open.slice(), high = f.high.slice(), low = f.low.slice(), close = f.close.slice(), volume = f.volume.slice();
  let price = close[cut];
  const vol = volume[cut] > 0 ? volume[cut] : 1;
  for (let j = cut + 1; j < f.length; j++) {
    const o = price * (1 + 0.02 * (rnd() - 0.5));
    const c = o * (1 + 0.1 * (rnd() - 0.5));
    open[j] = o; close[j] = c;
    high[j] = Math.max(o, c) * (1 + 0.02 * rnd());
    low[j] = Math.min(o, c) * (1 - 0.02 * rnd());
    volume[j] = vol * 3 * rnd();
    price = c;
  }
  return makeFrame({ exchange: f.exchange, symbol: f.symbol, timeframe: f.timeframe }, { ts: f.ts, open, high, low, close, volume });
}

const same = (a: number, b: number) => a === b || (Number.isNaN(a) && Number.isNaN(b));

/** Every look-ahead violation found (the first changed bar per cut, path and variant); empty when none. */
export function findLookahead(strategy: AnyStrategy, frame: CandleFrame, params: Readonly<ParamValues>, opts: LookaheadOptions = {}): LookaheadViolation[] {
  const cuts = opts.cuts ?? 40;
  const rnd = seeded(opts.seed ?? 1);
  const n = frame.length;
  const out: LookaheadViolation[] = [];
  if (n < 2) return out;
  const fullDecide = decisionsOf(strategy, frame, params);
  const fullSignals = strategy.signals?.(frame, strategy.indicators(frame, params), params);
  const first = Math.min(Math.max(0, strategy.warmup(params)), n - 2);
  const points = new Set<number>();
  for (let k = 0; k < cuts; k++) points.add(first + Math.floor(((k + 0.5) * (n - 1 - first)) / cuts));
  const check = (cut: number, path: LookaheadViolation['path'], variant: LookaheadViolation['variant'], full: Float64Array, altered: Float64Array) => {
    for (let i = 0; i <= cut; i++) {
      if (!same(full[i], altered[i])) { out.push({ cut, bar: i, path, variant, full: full[i], altered: altered[i] }); return; }
    }
  };
  for (const cut of points) {
    const variants: [LookaheadViolation['variant'], CandleFrame][] = [
      ['perturbed', perturbFutureBars(frame, cut, rnd)],
      ['truncated', sliceFrame(frame, 0, cut + 1)],
    ];
    for (const [variant, f] of variants) {
      check(cut, 'decide', variant, fullDecide, decisionsOf(strategy, f, params));
      if (fullSignals && strategy.signals) check(cut, 'signals', variant, fullSignals, strategy.signals(f, strategy.indicators(f, params), params));
    }
  }
  return out;
}
