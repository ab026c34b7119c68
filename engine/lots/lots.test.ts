import { describe, expect, it } from 'vitest';
import { expectRelClose } from '../../test-support/approx.ts';
import { fifoMatch } from './fifo.ts';
import { LotLedger, lotRealisedNet, lotUnrealised } from './ledger.ts';

describe('lot ledger', () => {
  it('opens lots on buys, closes the named lot on its paired sell, realises gross P&L and keeps fees apart', () => {
    const L = new LotLedger(['BTC/USDT']);
    const a = L.open(0, 1, 0, 100, 2, 0.2, 'b1'); // cost 200, fee 0.2
    const b = L.open(0, 2, 1, 90, 1, 0.09, 'b2'); // cost 90
    expect([L.base[0], L.openCost[0], L.fees]).toEqual([3, 290, 0.2 + 0.09]);
    // the paired sell of lot b (the newer one): specific identification, not FIFO
    const pnl = L.close(b, 1, 99, 0.099, 3, 2, 's2');
    expectRelClose(pnl, 9);
    expect(L.get(b).status).toBe('closed');
    expectRelClose(lotRealisedNet(L.get(b)), 9 - 0.09 - 0.099);
    expect(L.get(a).status).toBe('open');
    expectRelClose(lotUnrealised(L.get(a), 95), -10);
    expectRelClose(L.unrealised(0, 95), -10);
    // partial close of lot a: 0.5 at 110
    L.close(a, 0.5, 110, 0.055, 4, 3, 's1');
    expect(L.get(a).remaining).toBe(1.5);
    expectRelClose(L.get(a).realised, 5);
    expectRelClose(lotRealisedNet(L.get(a)), 5 - 0.2 * 0.25 - 0.055);
    expectRelClose(L.realised, 14);
  });
  it('FIFO closes skip the parts reserved by other sells', () => {
    const L = new LotLedger(['X']);
    const a = L.open(0, 1, 0, 10, 1, 0, 'a');
    const b = L.open(0, 2, 1, 20, 1, 0, 'b');
    L.get(a).reserved = 1; // a paired sell rests on lot a
    const first = L.closeFifo(0, 0.5, 30, 0.3, 3, 2, 'x');
    expect(first).toBe(b);
    expect(L.get(a).remaining).toBe(1);
    expect(L.get(b).remaining).toBe(0.5);
    expectRelClose(L.realised, 5);
  });
});

describe('FIFO matching for the tax report', () => {
  it('disposes of the oldest holdings first, with fees in cost and proceeds (worked example)', () => {
    const fills = [
      { symbol: 'BTC', ts: 1, side: 'buy' as const, price: 100, amount: 1, fee: 1 }, // unit cost 101
      { symbol: 'BTC', ts: 2, side: 'buy' as const, price: 200, amount: 1, fee: 2 }, // unit cost 202
      { symbol: 'BTC', ts: 3, side: 'sell' as const, price: 300, amount: 1.5, fee: 4.5 }, // unit proceeds 297
    ];
    const r = fifoMatch(fills);
    expect(r.disposals).toEqual([
      { symbol: 'BTC', acquiredTs: 1, disposedTs: 3, amount: 1, cost: 101, proceeds: 297, gain: 196 },
      { symbol: 'BTC', acquiredTs: 2, disposedTs: 3, amount: 0.5, cost: 101, proceeds: 148.5, gain: 47.5 },
    ]);
    expect(r.holdings.BTC).toEqual({ amount: 0.5, cost: 101 });
    expect(r.uncovered).toBe(0);
  });
  it('uses openings (initial inventory) and reports sells no holding covers', () => {
    const r = fifoMatch([{ symbol: 'E', ts: 5, side: 'sell', price: 10, amount: 3, fee: 0 }], [{ symbol: 'E', ts: 0, price: 8, amount: 2 }]);
    expect(r.disposals.map((d) => [d.amount, d.gain])).toEqual([[2, 4]]);
    expect(r.uncovered).toBe(1);
  });
});
