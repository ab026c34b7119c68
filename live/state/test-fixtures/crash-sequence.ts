/**
 * A deterministic runner-like sequence over the state store (intents, placements, unknown outcomes, rejections,
 * partial fills, FIFO and named-lot sells, bot state). Re-running it from the start after a crash must finish the
 * work without duplicating anything: that is how a restarted runner replays its steps. Used by crash.test.ts, and
 * run as a child process (`node --import tsx crash-sequence.ts <home> <killAtStep>`) that SIGKILLs itself at a step.
 */
import { pathToFileURL } from 'node:url';
import { openStateStore, type StateStore } from '../store.ts';

export const BOT = 'crash-bot';
const SYM = 'BTC/USDT';
const T0 = Date.UTC(2025, 0, 6);

export function runSequence(store: StateStore, step: () => void): void {
  if (!store.bots.get(BOT)) {
    store.bots.create({ id: BOT, name: BOT, strategy: 'grid@1', symbols: [SYM], exchange: 'replay', mode: 'replay', budget: 10_000 }, 'test', T0);
  }
  step();
  for (let i = 0; i < 10; i++) {
    const ts = T0 + i * 60_000;
    const buy = `${BOT}-b-${i}`;
    store.orders.recordOrderIntent({ botId: BOT, clientId: buy, symbol: SYM, side: 'buy', type: 'limit', price: 100 + i, amount: 0.1, tag: `buy-${i}`, ts });
    step();
    if (i % 3 === 2) { store.orders.markOrderUnknown(buy, 'timeout', ts + 1); step(); }
    store.orders.markOrderPlaced(buy, `ex-b-${i}`, ts + 2);
    step();
    store.orders.applyFill({ botId: BOT, clientId: buy, tradeId: `t-b-${i}-1`, ts: ts + 3, price: 100 + i, amount: 0.04, fee: 0.004 * (100 + i) * 0.1 });
    step();
    store.orders.applyFill({ botId: BOT, clientId: buy, tradeId: `t-b-${i}-2`, ts: ts + 4, price: 100 + i, amount: 0.06, fee: 0.006 * (100 + i) * 0.1 });
    step();
    if (i % 4 === 1) {
      const rej = `${BOT}-r-${i}`;
      store.orders.recordOrderIntent({ botId: BOT, clientId: rej, symbol: SYM, side: 'buy', type: 'limit', price: 50, amount: 1, ts: ts + 5 });
      step();
      store.orders.markOrderRejected(rej, 'insufficient funds', ts + 6);
      step();
    }
    if (i % 2 === 1) {
      const sell = `${BOT}-s-${i}`;
      const named = i % 4 === 3 ? store.orders.openLotsFor(BOT, SYM).at(-1)?.id ?? null : null;
      const existing = store.orders.byClientId(sell);
      store.orders.recordOrderIntent({ botId: BOT, clientId: sell, symbol: SYM, side: 'sell', type: 'limit', price: 110 + i, amount: 0.15, lotId: existing ? existing.lotId : named, tag: `sell-${i}`, ts: ts + 7 });
      step();
      store.orders.markOrderPlaced(sell, `ex-s-${i}`, ts + 8);
      step();
      store.orders.applyFill({ botId: BOT, clientId: sell, tradeId: `t-s-${i}`, ts: ts + 9, price: 110 + i, amount: 0.15, fee: 0.15 * (110 + i) * 0.001, liquidity: 'maker' });
      step();
      store.bots.setState(BOT, SYM, 'anchorHigh', 110 + i, ts + 10);
      step();
    }
  }
  const cancel = `${BOT}-c`;
  store.orders.recordOrderIntent({ botId: BOT, clientId: cancel, symbol: SYM, side: 'buy', type: 'limit', price: 90, amount: 0.2, ts: T0 + 3_600_000 });
  step();
  store.orders.markOrderPlaced(cancel, 'ex-c', T0 + 3_600_001);
  step();
  store.orders.markOrderCancelled(cancel, T0 + 3_600_002);
  step();
}

/** Everything the sequence writes, as comparable plain rows. */
export function dumpState(store: StateStore): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const t of ['bots', 'orders', 'fills', 'lots', 'lot_closes', 'positions', 'bot_state']) {
    out[t] = store.db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all();
  }
  return out;
}

// Child-process entry: node --import tsx crash-sequence.ts <home> <killAtStep>
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [home, killAtText] = process.argv.slice(2);
  const killAt = Number(killAtText);
  let n = 0;
  const tick = () => { if (++n === killAt) process.kill(process.pid, 'SIGKILL'); };
  const store = openStateStore(home, { onStep: tick });
  runSequence(store, tick);
  store.close();
  process.stdout.write(`steps ${n}\n`);
}
