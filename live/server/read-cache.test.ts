import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { openStateStore } from '../state/store.ts';
import { ReadCache } from './read-cache.ts';

describe('ReadCache', () => {
  it('keeps a result until any write, by this connection or another', () => {
    const home = mkdtempSync(`${tmpdir()}/tradelab-cache-`);
    const a = openStateStore(home), b = openStateStore(home);
    const cache = new ReadCache(a.db);
    let computed = 0;
    const count = () => cache.get('n', () => { computed++; return (a.db.prepare('SELECT COUNT(*) AS n FROM bots').get() as { n: number }).n; });
    expect([count(), count(), computed]).toEqual([0, 0, 1]);
    a.bots.create({ name: 'x', strategy: 'sma-cross@1.0.0', symbols: ['BTC/USDT'], exchange: 'binance', mode: 'paper', budget: 1 }, 't', 1);
    expect([count(), computed]).toEqual([1, 2]);
    b.bots.create({ name: 'y', strategy: 'sma-cross@1.0.0', symbols: ['BTC/USDT'], exchange: 'binance', mode: 'paper', budget: 1 }, 't', 1);
    expect([count(), computed]).toEqual([2, 3]);
    expect([count(), computed]).toEqual([2, 3]);
    a.close(); b.close();
  });
});
