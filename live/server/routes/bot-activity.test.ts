// GET /api/bots/:id/logs (tail of the bot's JSONL log) and /api/bots/:id/candles (its replay candles up to its cursor).
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BTC_1H, sharedFile } from '../../../test-support/shared-data.ts';
import { makeHarness, type Harness } from '../server-harness.test-util.ts';
import { tailLog } from './bot-activity.ts';

const FILE = sharedFile(BTC_1H);
const FROM = Date.parse('2022-01-01T00:00:00Z');
const TO = Date.parse('2022-01-10T00:00:00Z');
const HOUR = 3_600_000;

describe('bot activity routes', () => {
  let h: Harness;
  let home: string;
  beforeAll(async () => {
    h = await makeHarness();
    home = h.config.config.paths.home;
  });
  afterAll(async () => { await h.close(); });
  const get = (url: string, role: 'viewer' | null = 'viewer') => h.app.inject({ method: 'GET', url, headers: role ? h.auth(role) : {} });

  it('returns the last lines of the log, oldest first, with ts and event; none for a bot that never logged', async () => {
    const dir = join(home, 'logs');
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 5; i++) appendFileSync(join(dir, 'alpha.jsonl'), JSON.stringify({ ts: 1000 + i, event: `e${i}`, n: i, note: 'x'.repeat(i === 4 ? 900 : 1) }) + '\n');
    appendFileSync(join(dir, 'alpha.jsonl'), 'not json\n');
    const r = await get('/api/bots/alpha/logs?limit=3');
    expect(r.statusCode).toBe(200);
    const lines = r.json() as { ts: number | null; event: string; text: string }[];
    expect(lines.map((l) => [l.ts, l.event])).toEqual([[1003, 'e3'], [1004, 'e4'], [null, 'log']]);
    expect(lines[1].text.length).toBe(500);
    expect(lines[1].text.endsWith('...')).toBe(true);
    expect(lines[2].text).toBe('not json');
    expect((await get('/api/bots/beta/logs')).json()).toEqual([]);
    expect((await get('/api/bots/nobody/logs')).statusCode).toBe(404);
    expect((await get('/api/bots/alpha/logs?limit=0')).statusCode).toBe(400);
    expect((await get('/api/bots/alpha/logs', null)).statusCode).toBe(401);
  });

  it('reads only the end of a big log', () => {
    const f = join(home, 'big.jsonl');
    const line = JSON.stringify({ ts: 1, event: 'bar', pad: 'y'.repeat(300) });
    writeFileSync(f, `${line}\n`.repeat(5000) + JSON.stringify({ ts: 2, event: 'last' }) + '\n');
    const t = tailLog(f, 2000);
    expect(t.length).toBe(2000);
    expect(t.at(-1)).toMatchObject({ ts: 2, event: 'last' });
    expect(t.every((l) => l.event === 'bar' || l.event === 'last')).toBe(true);
  });

  it('returns the candles of a replay bot up to its cursor, at most limit; none before its first bar', async () => {
    const create = await h.app.inject({ method: 'POST', url: '/api/bots', headers: h.auth('operator'), payload: {
      name: 'gridder', strategy: 'grid', symbols: ['BTC/USDT'], exchange: 'binance', mode: 'replay', budget: 1000,
    } });
    expect(create.statusCode).toBe(201);
    // The harness's in-memory service keeps no runner settings: write them as the runtime does.
    h.store.bots.setState('gridder', '', 'runner', { timeframe: '1h', data: { file: FILE, from: FROM, to: TO } }, FROM);
    const before = (await get('/api/bots/gridder/candles')).json() as { cursor: number | null; ts: number[]; source: string };
    expect([before.cursor, before.ts.length, before.source]).toEqual([null, 0, 'no bar stepped yet']);
    const cursor = FROM + 100 * HOUR;
    h.store.bots.setState('gridder', '', 'cursor', cursor, cursor);
    const r = await get('/api/bots/gridder/candles?limit=24');
    expect(r.statusCode).toBe(200);
    const c = r.json() as { ts: number[]; open: number[]; high: number[]; low: number[]; close: number[]; symbol: string; timeframe: string; source: string };
    expect(c.ts.length).toBe(24);
    expect(c.ts.at(-1)).toBe(cursor);
    expect(c.ts[0]).toBe(cursor - 23 * HOUR);
    expect([c.symbol, c.timeframe]).toEqual(['BTC/USDT', '1h']);
    expect(c.source).toContain('BTC_USDT-1h.json');
    for (let i = 0; i < 24; i++) expect(c.low[i] <= c.close[i] && c.close[i] <= c.high[i] && c.low[i] <= c.open[i]).toBe(true);
    // The whole range when the limit is larger than what was stepped.
    const all = (await get('/api/bots/gridder/candles?limit=5000')).json() as { ts: number[] };
    expect([all.ts[0], all.ts.at(-1)]).toEqual([FROM, cursor]);
    expect((await get('/api/bots/gridder/candles?limit=99999')).statusCode).toBe(400);
  });

  it('says why a bot without candles has none', async () => {
    h.store.bots.setState('alpha', '', 'cursor', FROM, FROM);
    const c = (await get('/api/bots/alpha/candles')).json() as { ts: number[]; source: string };
    expect(c.ts).toEqual([]);
    expect(c.source).toMatch(/^candles unavailable: /);
  });
});
