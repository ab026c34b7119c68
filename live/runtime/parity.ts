/**
 * Parity, the promotion gate: the backtest and a replay bot through the live runner on the same candles, compared
 * order by order and fill by fill (time, side, price, size, fee). Any difference is reported with its bar. The replay
 * bot runs exactly as `tradelab replay` runs one: the replay adapter and the execution core's order manager.
 *
 * Numbers are compared with a relative tolerance (default 1e-9): the runner sizes a buy as
 * (fraction x cash / (1 + feeRate)) / price and keeps cash as budget + realised - fees - open cost from the store,
 * where the backtest computes fraction x cash / (price x (1 + feeRate)) on a running balance; the two agree to the
 * last few bits of a double, never more.
 */
import { usageError } from '../../engine/errors.ts';
import type { CandleFrame } from '../../engine/frame.ts';
import type { ParamValues } from '../../engine/params.ts';
import { runSignalBacktest } from '../../engine/sim/signal-backtest.ts';
import { validateFillConfig, type FillConfig } from '../../engine/sim/fill-config.ts';
import type { Fill as SimFill } from '../../engine/sim/sim-result.ts';
import type { AnyStrategy } from '../../engine/strategy.ts';
import { lowerBound } from '../../engine/frame.ts';
import { runOrderBacktest } from '../../engine/orders/simulator.ts';
import { marketSpec } from '../../engine/orders/market-spec.ts';
import { openMemoryStateStore } from '../state/store.ts';
import type { StoredFill, StoredOrder } from '../state/types.ts';
import { BotService } from '../bots/service.ts';
import { BotRunner } from './bot-runner.ts';
import { nullLogger } from './logger.ts';
import { execReplay } from './exec-replay.ts';

export interface ParitySpec {
  readonly strategy: AnyStrategy;
  readonly params: Readonly<Record<string, unknown>>;
  readonly frame: CandleFrame;
  /** First decided bar (after warm-up). */
  readonly startIndex: number;
  readonly endIndex?: number;
  readonly fill: FillConfig;
  /** Relative tolerance of numeric comparisons (default 1e-9). */
  readonly tolerance?: number;
}

/** One order or fill of either run (orders: the filled size, average price and fees). */
export interface ParityRow {
  readonly bar: number;
  readonly ts: number;
  readonly side: 'buy' | 'sell';
  readonly price: number;
  readonly size: number;
  readonly fee: number;
}

export interface ParityDifference {
  /** 'order' or 'fill', and its position in the run (0-based). */
  readonly kind: 'order' | 'fill';
  readonly index: number;
  readonly bar: number;
  readonly ts: number;
  readonly field: 'missing-in-replay' | 'missing-in-backtest' | 'bar' | 'side' | 'price' | 'size' | 'fee';
  readonly backtest: number | string | null;
  readonly replay: number | string | null;
}

export interface ParityReport {
  readonly strategy: string;
  readonly bars: number;
  readonly backtest: { readonly orders: number; readonly fills: readonly ParityRow[] };
  readonly replay: { readonly orders: number; readonly fills: readonly ParityRow[] };
  readonly differences: readonly ParityDifference[];
  readonly identical: boolean;
  readonly tolerance: number;
}

const close = (a: number, b: number, tol: number) => a === b || Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b));

export async function runParity(spec: ParitySpec): Promise<ParityReport> {
  const { strategy, frame } = spec;
  if (strategy.kind === 'orders') return runOrderParity(spec);
  const fill = validateFillConfig(spec.fill);
  if (fill.allowShort || fill.closeAtEnd || fill.lotSize !== 0 || fill.minNotional !== 0) {
    throw usageError('PARITY_FILL_UNSUPPORTED', 'parity runs long-only, without --close-at-end, --lot-size or --min-notional (the live runner trades spot, long only, and leaves a position open at the end)');
  }
  const tol = spec.tolerance ?? 1e-9;
  const params = strategy.resolveParams(spec.params) as ParamValues;
  const end = spec.endIndex ?? frame.length;

  const sim = runSignalBacktest(strategy, frame, params, fill, { startIndex: spec.startIndex, endIndex: end, path: 'auto' });
  const bt: ParityRow[] = sim.fills.map((f: SimFill) => ({ bar: f.bar, ts: f.ts, side: f.side, price: f.price, size: f.size, fee: f.fee }));

  const store = openMemoryStateStore();
  try {
    const t0 = frame.ts[spec.startIndex];
    const service = new BotService(store, { liveTradingEnabled: false }, () => t0, [strategy]);
    const bot = service.create({
      name: 'parity', strategy: strategy.ref, params, symbols: [frame.symbol && frame.symbol.includes('/') ? frame.symbol : 'BTC/USDT'], exchange: frame.exchange || 'replay', mode: 'replay',
      budget: fill.initialCash, settings: { timeframe: frame.timeframe, feeRate: fill.feeRate, slippageBps: fill.slippageBps, fraction: fill.fraction, speed: 'max' },
    });
    service.transition(bot.id, 'running');
    // The one replay path of every bot: the replay adapter + the order manager (risk checks, virtual wallet, buys by
    // cost, client ids), orders placed at the close.
    const x = execReplay(store, service.get(bot.id), strategy.id, frame, spec.startIndex, end, { feeRate: fill.feeRate, slippageBps: fill.slippageBps });
    const runner = new BotRunner({
      store, bot: service.get(bot.id), strategy, settings: service.settings(bot.id), frame, startIndex: spec.startIndex, endIndex: end,
      path: x.path, clock: x.clock, log: nullLogger, placeAt: 'close',
    });
    await runner.run();
    const orders = store.orders.ordersFor(bot.id);
    const fills = store.orders.fillsFor(bot.id);
    const rp: ParityRow[] = fills.map((f: StoredFill) => ({ bar: lowerBound(frame.ts, f.ts), ts: f.ts, side: f.side, price: f.price, size: f.amount, fee: f.fee }));
    const differences = [
      ...compareRows('fill', bt, rp, tol),
      ...compareRows('order', bt, orders.map((o: StoredOrder) => orderRow(o, frame)), tol),
    ];
    return {
      strategy: strategy.ref, bars: end - spec.startIndex,
      backtest: { orders: bt.length, fills: bt }, replay: { orders: orders.length, fills: rp },
      differences, identical: differences.length === 0, tolerance: tol,
    };
  } finally {
    store.close();
  }
}

/**
 * Order strategies: the order simulator against a replay bot on the execution core (replay adapter + order manager),
 * on a market without tick, step or minimums paying `fill.feeRate` as maker and taker.
 */
async function runOrderParity(spec: ParitySpec): Promise<ParityReport> {
  const { strategy, frame } = spec;
  const fill = validateFillConfig(spec.fill);
  const tol = spec.tolerance ?? 1e-9;
  const params = strategy.resolveParams(spec.params) as ParamValues;
  const end = spec.endIndex ?? frame.length;
  const symbol = frame.symbol && frame.symbol.includes('/') ? frame.symbol : 'BTC/USDT';
  const f = { ...frame, symbol };
  const mspec = marketSpec(symbol, { priceTick: 0, amountStep: 0, minAmount: 0, minNotional: 0, makerFee: fill.feeRate, takerFee: fill.feeRate });
  const sim = runOrderBacktest(strategy, [{ frame: f, spec: mspec, initialBase: 0 }], params, {
    initialCash: fill.initialCash, slippageBps: fill.slippageBps, startTs: frame.ts[spec.startIndex], endTs: end < frame.length ? frame.ts[end] : undefined,
  });
  const bt: ParityRow[] = sim.fills.map((x) => ({ bar: lowerBound(frame.ts, x.ts), ts: x.ts, side: x.side, price: x.price, size: x.amount, fee: x.fee }));
  const store = openMemoryStateStore();
  try {
    const t0 = frame.ts[spec.startIndex];
    const service = new BotService(store, { liveTradingEnabled: false }, () => t0, [strategy]);
    const bot = service.create({
      name: 'parity', strategy: strategy.ref, params, symbols: [symbol], exchange: 'replay', mode: 'replay', budget: fill.initialCash,
      risk: { openOrders: { maxTotal: 1_000_000 } }, settings: { timeframe: frame.timeframe, feeRate: fill.feeRate, slippageBps: fill.slippageBps, speed: 'max' },
    });
    service.transition(bot.id, 'running');
    const x = execReplay(store, service.get(bot.id), strategy.id, f, spec.startIndex, end, { feeRate: fill.feeRate, slippageBps: fill.slippageBps });
    const runner = new BotRunner({
      store, bot: service.get(bot.id), strategy, settings: service.settings(bot.id), frame: f, startIndex: spec.startIndex, endIndex: end,
      path: x.path, clock: x.clock, log: nullLogger, placeAt: 'close',
    });
    await runner.run();
    // The last bar's decisions rest unplayed in the replay; the simulator never fills them either.
    const fills = store.orders.fillsFor(bot.id);
    const rp: ParityRow[] = fills.map((y: StoredFill) => ({ bar: lowerBound(frame.ts, y.ts), ts: y.ts, side: y.side, price: y.price, size: y.amount, fee: y.fee }));
    // Orders, each at the first bar it could fill in (decide: the next bar; onFill: its own bar), within the data:
    // the simulator also decides at the last bar, whose orders could only fill after it (the runner does not).
    const ts = frame.ts;
    const btOrders: ParityRow[] = sim.orders
      .map((o) => ({ bar: o.origin === 'fill' ? o.placedBar : o.placedBar + 1, o }))
      .filter((x) => x.bar < end)
      .map(({ bar, o }) => ({ bar, ts: ts[bar], side: o.side, price: o.type === 'limit' ? o.price : o.avgPrice, size: o.amount, fee: o.fees }));
    const rpOrders: ParityRow[] = store.orders.ordersFor(bot.id)
      .filter((o: StoredOrder) => !(o.status === 'rejected' && o.filled === 0))
      .map((o: StoredOrder) => ({ bar: lowerBound(ts, o.createdAt), o }))
      .filter((x) => x.bar < end)
      .map(({ bar, o }) => ({ bar, ts: ts[bar], side: o.side, price: o.type === 'limit' ? (o.price as number) : (o.avgPrice ?? NaN), size: o.amount, fee: o.fees }));
    const differences = [...compareRows('fill', bt, rp, tol), ...compareRows('order', btOrders, rpOrders, tol)];
    return {
      strategy: strategy.ref, bars: end - spec.startIndex,
      backtest: { orders: btOrders.length, fills: bt }, replay: { orders: rpOrders.length, fills: rp },
      differences, identical: differences.length === 0, tolerance: tol,
    };
  } finally {
    store.close();
  }
}

function orderRow(o: StoredOrder, frame: CandleFrame): ParityRow {
  return { bar: lowerBound(frame.ts, o.createdAt), ts: o.createdAt, side: o.side, price: o.avgPrice ?? NaN, size: o.filled, fee: o.fees };
}

/** Row-by-row comparison of the backtest's rows `a` with the replay's rows `b`. */
export function compareRows(kind: 'order' | 'fill', a: readonly ParityRow[], b: readonly ParityRow[], tol: number): ParityDifference[] {
  const out: ParityDifference[] = [];
  const n = Math.max(a.length, b.length);
  for (let j = 0; j < n; j++) {
    const x = a[j], y = b[j];
    if (!x || !y) {
      const r = (x ?? y) as ParityRow;
      out.push({ kind, index: j, bar: r.bar, ts: r.ts, field: x ? 'missing-in-replay' : 'missing-in-backtest', backtest: x ? `${x.side} ${x.size} @ ${x.price}` : null, replay: y ? `${y.side} ${y.size} @ ${y.price}` : null });
      continue;
    }
    const diff = (field: ParityDifference['field'], p: number | string, q: number | string) => out.push({ kind, index: j, bar: x.bar, ts: x.ts, field, backtest: p, replay: q });
    if (x.bar !== y.bar) diff('bar', x.bar, y.bar);
    if (x.side !== y.side) diff('side', x.side, y.side);
    if (!close(x.price, y.price, tol)) diff('price', x.price, y.price);
    if (!close(x.size, y.size, tol)) diff('size', x.size, y.size);
    if (!close(x.fee, y.fee, tol)) diff('fee', x.fee, y.fee);
  }
  return out;
}
