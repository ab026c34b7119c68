// Unrealised P&L at the runtime's mark prices on /api/positions, /api/lots and /api/bots/:id (deps.markPrice; in
// tradelab serve the bot runtime's last bar close: runtime-bot-service.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRelClose } from '../../test-support/approx.ts';
import { makeHarness, type Harness } from './server-harness.test-util.ts';

const MARKS: Record<string, number> = { 'alpha BTC/USDT': 120, 'beta ETH/USDT': 2100 };
let h: Harness;
let withoutMarks: Harness;
beforeAll(async () => {
  h = await makeHarness({ deps: { markPrice: (botId, symbol) => MARKS[`${botId} ${symbol}`] } });
  withoutMarks = await makeHarness();
});
afterAll(async () => { await h.close(); await withoutMarks.close(); });

const get = (x: Harness, url: string) => x.app.inject({ method: 'GET', url, headers: x.auth('viewer') }).then((r) => { expect(r.statusCode, url).toBe(200); return r.json(); });

describe('mark prices', () => {
  it('positions: base × mark − open cost; a flat position is 0; no mark is null', async () => {
    const rows = await get(h, '/api/positions') as { botId: string; symbol: string; base: number; openCost: number; markPrice: number | null; unrealised: number | null }[];
    const alpha = rows.find((r) => r.botId === 'alpha')!;
    const beta = rows.find((r) => r.botId === 'beta')!;
    expect([alpha.base, alpha.markPrice, alpha.unrealised]).toEqual([0, 120, 0]);
    expect([beta.base, beta.openCost, beta.markPrice]).toEqual([1, 2000, 2100]);
    expectRelClose(beta.unrealised!, 100);
    const bare = (await get(withoutMarks, '/api/positions?botId=beta'))[0];
    expect([bare.markPrice, bare.unrealised]).toEqual([null, null]);
  });

  it('open lots and the bot page use the same mark', async () => {
    const lots = (await get(h, '/api/lots?botId=beta&status=open')).items as { markPrice: number; unrealised: number; entryPrice: number; remaining: number }[];
    expect(lots).toHaveLength(1);
    expect(lots[0].markPrice).toBe(2100);
    expectRelClose(lots[0].unrealised, 100);
    const closed = (await get(h, '/api/lots?botId=alpha&status=closed')).items as { markPrice: number | null; unrealised: number | null }[];
    expect(closed.every((l) => l.markPrice === null && l.unrealised === null)).toBe(true);
    const beta = await get(h, '/api/bots/beta') as { positions: { symbol: string; markPrice: number; unrealised: number }[] };
    expect(beta.positions).toEqual([expect.objectContaining({ symbol: 'ETH/USDT', markPrice: 2100 })]);
    expectRelClose(beta.positions[0].unrealised, 100);
  });
});

describe('stats equity', () => {
  it('sums each bot\'s latest snapshot (by time), globally and per bot', async () => {
    const latest = (botId: string) => (h.store.db.prepare('SELECT equity FROM pnl_snapshots WHERE bot_id = ? ORDER BY ts DESC, id DESC LIMIT 1').get(botId) as { equity: number }).equity;
    // A snapshot written late but stamped early (a replay catching up) is not the latest.
    h.store.orders.snapshotPnl('beta', 5_000, 1, { 'ETH/USDT': 1 });
    const all = await get(h, '/api/stats');
    expectRelClose(all.equity, latest('alpha') + latest('beta'));
    expectRelClose((await get(h, '/api/stats?botId=beta')).equity, latest('beta'));
    expect(latest('beta')).toBeGreaterThan(5_000);
  });
});
