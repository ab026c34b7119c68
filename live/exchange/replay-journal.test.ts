// The replay adapter's journal: a venue rebuilt from it — writes between bars at their position, writes made inside
// a bar from the fill hook at their trigger fill — is the venue as it was (book, wallet, fills and their ids), and
// goes on exactly like the original. Orders placed from the hook act at once at the fill's point of the bar.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { frameFromRows, sliceFrame } from '../../engine/frame.ts';
import { marketSpec } from '../../engine/orders/market-spec.ts';
import { BTC_1M, sharedFile } from '../../test-support/shared-data.ts';
import { createReplayAdapter, type ReplayExchange, type ReplayJournal } from './replay-adapter.ts';
import type { VenueCommand } from './sim-venue.ts';

const FRAME = sliceFrame(frameFromRows({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1m' }, JSON.parse(readFileSync(sharedFile(BTC_1M), 'utf8')) as number[][]), 1000, 1600);
const spec = marketSpec('BTC/USDT', { makerFee: 0.001, takerFee: 0.002 });

function memoryJournal(): ReplayJournal & { rows: { played: number; command: VenueCommand }[] } {
  const rows: { played: number; command: VenueCommand }[] = [];
  return { rows, read: () => JSON.parse(JSON.stringify(rows)) as typeof rows, append: (played, command) => { rows.push({ played, command: JSON.parse(JSON.stringify(command)) as VenueCommand }); } };
}

/** A small grid driven straight on the adapter: buys below the close every 7 bars, a paired sell from the fill hook. */
function drive(a: ReplayExchange, bars: number, seq: { n: number }, pairBar?: Map<string, number>): void {
  a.venue.fillHook = (fill) => {
    if (fill.side !== 'buy') return;
    const n = seq.n++;
    pairBar?.set(`s${n}`, fill.timestamp);
    // a paired sell one step up (rests, may fill later in the same bar) and, every third fill, a crossing buy (taker at once)
    a.venue.createOrder({ symbol: 'BTC/USDT', type: 'limit', side: 'sell', price: fill.price * 1.0008, amount: fill.amount, clientOrderId: `s${n}` }, NaN);
    if (n % 3 === 0) a.venue.createOrder({ symbol: 'BTC/USDT', type: 'limit', side: 'buy', price: fill.price * 1.01, amount: 0.001, clientOrderId: `x${n}` }, NaN);
  };
  for (let k = 0; k < bars && a.barsLeft > 0; k++) {
    const played = a.barsPlayed;
    if (played % 7 === 0) {
      const c = FRAME.close[played - 1];
      for (let j = 1; j <= 3; j++) a.venue.createOrder({ symbol: 'BTC/USDT', type: 'limit', side: 'buy', price: c * (1 - 0.0004 * j), amount: 0.002, clientOrderId: `b${played}-${j}` }, c);
    }
    if (played % 50 === 0) for (const o of a.venue.openOrders('BTC/USDT').filter((x) => x.side === 'buy').slice(0, 2)) a.venue.cancelOrder({ symbol: 'BTC/USDT', clientOrderId: o.clientOrderId });
    a.advance();
  }
  a.venue.fillHook = undefined;
}

const state = async (a: ReplayExchange) => ({
  played: a.barsPlayed, trades: await a.fetchMyTrades('BTC/USDT'), open: await a.fetchOpenOrders('BTC/USDT'), balance: (await a.fetchBalance()).byCurrency,
});

describe('replay adapter journal', () => {
  it('a venue rebuilt from its journal is the venue as it was, and continues identically', async () => {
    const cfg = { markets: [{ frame: FRAME, spec }], balances: { USDT: 10_000 }, startTs: FRAME.ts[1] };
    const journal = memoryJournal();
    const a = createReplayAdapter({ ...cfg, journal });
    const seq = { n: 0 };
    const pairBar = new Map<string, number>();
    drive(a, 300, seq, pairBar);
    const s1 = await state(a);
    expect(s1.trades.length).toBeGreaterThan(30);
    expect(journal.rows.some((r) => r.command.trigger !== undefined)).toBe(true); // writes made inside bars
    // a paired sell placed from the hook filled in the very bar of its buy: it joined the rest of that bar's path
    expect(s1.trades.some((t) => t.side === 'sell' && pairBar.get(t.clientOrderId ?? '') === t.timestamp)).toBe(true);
    // a crossing buy placed from the hook filled at once, as taker
    const x = s1.trades.filter((t) => t.clientOrderId?.startsWith('x'));
    expect(x.length).toBeGreaterThan(0);
    expect(x.every((t) => t.takerOrMaker === 'taker')).toBe(true);

    // "a new process": rebuilt from the journal alone (where its last write left it), brought to the same bar
    const jb = memoryJournal();
    jb.rows.push(...journal.rows);
    const b = createReplayAdapter({ ...cfg, journal: jb });
    while (b.barsPlayed < a.barsPlayed) b.advance();
    expect(await state(b)).toEqual(s1);
    // and both go on identically
    const n0 = seq.n;
    drive(a, 200, seq);
    drive(b, 200, { n: n0 });
    expect(await state(b)).toEqual(await state(a));
    expect(jb.rows).toEqual(journal.rows);
  });

  it('a journal that does not fit the candles is refused', () => {
    const journal = memoryJournal();
    journal.rows.push({ played: 10_000, command: { kind: 'cancel', ref: { symbol: 'BTC/USDT', clientOrderId: 'nope' } } });
    expect(() => createReplayAdapter({ markets: [{ frame: FRAME, spec }], balances: { USDT: 1 }, journal })).toThrow(/does not play back/);
  });
});
