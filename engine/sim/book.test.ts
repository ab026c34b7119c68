import { describe, expect, it } from 'vitest';
import { syntheticFrame } from '../../bench/synthetic.ts';
import { Book, SIDE_FLAT, SIDE_LONG, SIDE_SHORT } from './book.ts';
import { DEFAULT_FILL_CONFIG, validateFillConfig } from './fill-config.ts';
import { seededRandom } from '../random.ts';

describe('Book with record: false', () => {
  it('keeps the same cash, position, fees, skipped count and trade pnl/returnPct as a recording book, in lent columns', () => {
    const f = syntheticFrame(2_000, 8, '1h', 3_600_000);
    const cfg = validateFillConfig({ ...DEFAULT_FILL_CONFIG, allowShort: true, slippageBps: 3, lotSize: 0.001, minNotional: 50, initialCash: 500 });
    const lent = { pnl: new Float64Array(4), ret: new Float64Array(4) };
    const full = new Book(f, cfg), lean = new Book(f, cfg, { record: false, trades: lent });
    const rnd = seededRandom(2);
    for (let i = 1; i < f.length; i++) {
      const t = [SIDE_FLAT, SIDE_LONG, SIDE_SHORT][Math.floor(rnd() * 3)];
      if (rnd() < 0.3 && t !== full.side) { full.moveTo(i, t, 'x'); lean.moveTo(i, t, ''); }
      expect([lean.cash, lean.pos, lean.side, lean.feesPaid, lean.skippedOrders]).toEqual([full.cash, full.pos, full.side, full.feesPaid, full.skippedOrders]);
    }
    if (full.side !== SIDE_FLAT) { full.close(f.length - 1, f.close[f.length - 1], 'end'); lean.close(f.length - 1, f.close[f.length - 1], ''); }
    expect(full.nTrades).toBeGreaterThan(8); // the lent columns had to grow
    const a = full.tradeColumns(), b = lean.trades();
    expect(Array.from(b.pnl)).toEqual(Array.from(a.pnl));
    expect(Array.from(b.returnPct)).toEqual(Array.from(a.returnPct));
    expect(lean.tradeStore().pnl.length).toBeGreaterThanOrEqual(lean.nTrades);
    expect(lean.nFills).toBe(0);
    expect(lean.skipped).toEqual([]);
    expect(() => lean.fillObjects()).toThrow(/record: false/);
    expect(() => lean.exposureBars(0, 10)).toThrow(/record: false/);
  });
});
