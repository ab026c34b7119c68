// The step log (the order simulator's per-step series, logged where they change and expanded on read) against the
// step-by-step recording it replaced: bit-identical, on made-up account paths and on real candles.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { frameFromRows, makeFrame, type CandleFrame } from '../frame.ts';
import { LotLedger } from '../lots/ledger.ts';
import { seededRandom } from '../random.ts';
import { grid } from '../strategies-orders/grid.ts';
import { BTC_1H, BTC_1M, ETH_1H, sharedFile } from '../../test-support/shared-data.ts';
import { marketSpec } from './market-spec.ts';
import { alignTimeline, runOrderBacktest } from './simulator.ts';
import { StepLog } from './step-log.ts';
import type { OrderSimResult } from './types.ts';

const bits = (a: ArrayLike<number>) => Array.from(a, (x) => (Object.is(x, -0) ? '-0' : String(x)));

function randomFrame(n: number, seed: number, t0: number, stepMs: number, symbol: string): CandleFrame {
  const rnd = seededRandom(seed);
  const ts = new Float64Array(n), o = new Float64Array(n), h = new Float64Array(n), l = new Float64Array(n), c = new Float64Array(n);
  let p = 100;
  for (let i = 0; i < n; i++) {
    ts[i] = t0 + i * stepMs; o[i] = p; p *= 1 + (rnd() - 0.5) * 0.02; c[i] = p;
    h[i] = Math.max(o[i], c[i]) * 1.001; l[i] = Math.min(o[i], c[i]) * 0.999;
  }
  return makeFrame({ exchange: 'test', symbol, timeframe: '1m' }, { ts, open: o, high: h, low: l, close: c, volume: new Float64Array(n).fill(1) });
}

describe('StepLog.expand = recording every step', () => {
  for (const M of [1, 3]) {
    it(`${M} market(s), markets starting and ending at different steps, changes at random steps`, () => {
      const rnd = seededRandom(11 + M);
      // market m: its own start and step, so that the timeline's steps are not every market's rows
      const frames = Array.from({ length: M }, (_, m) => randomFrame(400 + 37 * m, 5 + m, 60_000 * 7 * m, 60_000 * (1 + m), `M${m}/USDT`));
      const T = alignTimeline(frames);
      const start = new Int32Array(M), end = Int32Array.from(frames, (f) => f.length), ptr = new Int32Array(M);
      const mark0 = Float64Array.from(frames, (f) => f.open[0]), mark = Float64Array.from(mark0);
      const ledger = new LotLedger(frames.map((f) => f.symbol));
      const log = new StepLog(M);
      const S = T.length;
      const want = { equity: new Float64Array(S), cash: new Float64Array(S), inv: new Float64Array(S), cap: new Float64Array(S), openOrders: new Float64Array(S), realised: new Float64Array(S), unrealised: new Float64Array(S), fees: new Float64Array(S) };
      let cash = 1000, open = 0;
      // orders as the store keeps them: placed and closed at bars of their market (each the bar of a step)
      const orders = { n: 0, market: new Int32Array(S), placedBar: new Int32Array(S), doneBar: new Int32Array(S) };
      const openIds: number[] = [];
      for (let s = 0; s < S; s++) {
        const here: number[] = [];
        for (let m = 0; m < M; m++) if (ptr[m] < end[m] && frames[m].ts[ptr[m]] === T[s]) { here.push(m); mark[m] = frames[m].close[ptr[m]++]; }
        const changed = s === 0 || rnd() < 0.2;
        if (changed && s > 0) {
          // move the account the way fills do: buys open lots, sells close them (base may return to exactly 0)
          const m = Math.floor(rnd() * M);
          if (rnd() < 0.55 || ledger.base[m] === 0) {
            const px = mark[m] * (1 - rnd() * 0.01), size = Math.round(rnd() * 1000) / 1000 + 0.001, fee = px * size * 0.001;
            ledger.open(m, T[s], s, px, size, fee, `b${s}`);
            cash -= px * size + fee;
          } else {
            const ids = ledger.openLotIds(m);
            const id = ids[0];
            const px = mark[m] * (1 + rnd() * 0.01), size = ledger.remaining[id], fee = px * size * 0.001;
            ledger.close(id, size, px, fee, T[s], s, `s${s}`);
            cash += px * size - fee;
          }
        }
        // place or close orders of markets with a bar at this step (some placed and closed within the step)
        for (const m of here) {
          const bar = ptr[m] - 1;
          if (rnd() < 0.3) { const id = orders.n++; orders.market[id] = m; orders.placedBar[id] = bar; orders.doneBar[id] = -1; openIds.push(id); open++; }
          const k = openIds.findIndex((id) => orders.market[id] === m);
          if (k >= 0 && rnd() < 0.3) { orders.doneBar[openIds[k]] = bar; openIds.splice(k, 1); open--; }
        }
        // the recording this replaced
        let iv = 0, un = 0;
        for (let m = 0; m < M; m++) {
          const b = ledger.base[m];
          if (b !== 0) { iv += b * mark[m]; un += b * mark[m] - ledger.openCost[m]; }
        }
        want.equity[s] = cash + iv; want.cash[s] = cash; want.inv[s] = iv; want.cap[s] = ledger.totalOpenCost; want.openOrders[s] = open;
        want.realised[s] = ledger.realised; want.unrealised[s] = un; want.fees[s] = ledger.fees;
        // the log
        if (changed) { log.cash = cash; log.account(s, ledger); }
      }
      const got = log.expand(T, { frames, start, end, mark0 }, orders);
      for (const k of Object.keys(want) as (keyof typeof want)[]) expect(bits(got[k]), k).toEqual(bits(want[k]));
      expect(log.lastEquity(T, { frames, start, end, mark0 })).toBe(want.equity[S - 1]);
      expect(ledger.n).toBeGreaterThan(10);
      expect(orders.n).toBeGreaterThan(50);
      expect(openIds.length).toBeLessThan(orders.n);
    });
  }
});

describe('the order simulator\'s series on real candles = replaying its fills and orders step by step', () => {
  const load = (file: string, symbol: string, tf: string) => frameFromRows({ exchange: 'binance', symbol, timeframe: tf }, JSON.parse(readFileSync(sharedFile(file), 'utf8')) as number[][]);

  /** Cash, base, open orders and inventory value per step, from the result's fills and orders alone. */
  function replay(r: OrderSimResult, frames: CandleFrame[]) {
    const T = r.ts, S = T.length, M = frames.length;
    const stepOf = (m: number, bar: number) => { let lo = 0, hi = S; const t = frames[m].ts[bar]; while (lo < hi) { const mid = (lo + hi) >>> 1; if (T[mid] < t) lo = mid + 1; else hi = mid; } return lo; };
    const delta = new Int32Array(S + 1);
    for (const o of r.orders) { delta[stepOf(o.market, o.placedBar)]++; if (o.doneBar >= 0) delta[stepOf(o.market, o.doneBar)]--; }
    const cash = new Float64Array(S), inv = new Float64Array(S), open = new Float64Array(S);
    const base = new Float64Array(M), mark = Float64Array.from(frames, (f) => f.open[0]), ptr = new Int32Array(M);
    let c = r.initialCash, k = 0, n = 0;
    for (let s = 0; s < S; s++) {
      for (let m = 0; m < M; m++) if (ptr[m] < frames[m].length && frames[m].ts[ptr[m]] === T[s]) mark[m] = frames[m].close[ptr[m]++];
      for (; k < r.fills.length && stepOf(r.fills[k].market, r.fills[k].bar) === s; k++) {
        const f = r.fills[k], notional = f.price * f.amount;
        if (f.side === 'buy') { c -= notional + f.fee; base[f.market] += f.amount; } else { c += notional - f.fee; base[f.market] -= f.amount; }
      }
      n += delta[s];
      let iv = 0;
      for (let m = 0; m < M; m++) if (base[m] !== 0) iv += base[m] * mark[m];
      cash[s] = c; inv[s] = iv; open[s] = n;
    }
    return { cash, inv, open };
  }

  const cases: [string, () => CandleFrame[], Record<string, unknown>][] = [
    ['grid on BTC/USDT 1m', () => [load(BTC_1M, 'BTC/USDT', '1m')], {}],
    ['grid on BTC/USDT and ETH/USDT 1h (one budget)', () => [load(BTC_1H, 'BTC/USDT', '1h'), load(ETH_1H, 'ETH/USDT', '1h')], { maxOpenOrders: 60 }],
  ];
  for (const [name, frames, params] of cases) {
    it(name, () => {
      const fs = frames();
      const r = runOrderBacktest(grid, fs.map((frame) => ({ frame, spec: marketSpec(frame.symbol) })), params, { initialCash: 10_000 });
      const want = replay(r, fs);
      expect(r.fills.length).toBeGreaterThan(100);
      expect(bits(r.cash)).toEqual(bits(want.cash));
      expect(bits(r.inventoryValue)).toEqual(bits(want.inv));
      expect(bits(r.openOrders)).toEqual(bits(want.open));
      for (let s = 0; s < r.ts.length; s++) if (r.equity[s] !== r.cash[s] + r.inventoryValue[s]) expect.fail(`equity at step ${s}`);
      expect(r.totals.finalEquity).toBe(r.equity[r.ts.length - 1]);
      expect(r.totals.maxOpenOrders).toBe(Math.max(...r.openOrders));
      expect(r.totals.maxCapitalInUse).toBe(Math.max(0, ...r.capitalInUse));
    });
  }
});
