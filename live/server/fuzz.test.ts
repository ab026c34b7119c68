// Fuzz-style: a few hundred seeded malformed bodies, query strings and path params against the API as admin:
// never a 500, never a crash, never a changed database row.
import { seededRandom as mulberry32 } from '../../engine/random.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHarness, type Harness } from './server-harness.test-util.ts';
import type { StateDb } from '../state/db.ts';


/** Every row of every table, in rowid order. */
export function dumpDb(db: StateDb): string {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
  return JSON.stringify(tables.map((t) => [t, db.prepare(`SELECT * FROM "${t}" ORDER BY rowid`).all()]));
}

const MUTATING: [string, string][] = [
  ['POST', '/api/bots'], ['PATCH', '/api/bots/alpha'], ['DELETE', '/api/bots/alpha'], ['POST', '/api/bots/alpha/start'], ['POST', '/api/bots/alpha/pause'],
  ['POST', '/api/bots/alpha/stop'], ['POST', '/api/bots/alpha/kill'], ['POST', '/api/bots/alpha/promote'], ['POST', '/api/bots/alpha/copy'], ['POST', '/api/kill-all'],
  ['POST', '/api/orders/a-4/cancel'], ['PUT', '/api/markets/enabled'], ['PUT', '/api/settings/overrides'], ['POST', '/api/users'], ['POST', '/api/auth/login'],
];
const READS = ['/api/bots', '/api/orders', '/api/fills', '/api/lots', '/api/positions', '/api/results', '/api/markets', '/api/reports/pnl', '/api/reports/tax', '/api/pnl/series', '/api/stats', '/api/strategies'];
const KEYS = ['name', 'strategy', 'symbols', 'budget', 'mode', 'orders', 'inPlace', 'path', 'value', 'user', 'password', 'role', 'enabled', 'exchange', 'status', 'botId', 'limit', 'offset', 'from', 'to', 'groupBy', 'year', 'format', 'bucket', 'sort', '__proto__', 'constructor'];

describe('fuzz', () => {
  let h: Harness;
  beforeAll(async () => { h = await makeHarness(); });
  afterAll(async () => { await h.close(); });

  it('400 malformed requests: no 5xx, no crash, no database change', async () => {
    const rnd = mulberry32(20241121);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const str = () => pick(['', ' ', 'x'.repeat(1 + Math.floor(rnd() * 300)), '\u0000', '../../etc/passwd', '%00', '💥', 'BTC/USDT', '-1', 'NaN', 'true', '{"a":1}', "' OR 1=1 --", 'a'.repeat(70_000)]);
    const value = (depth = 0): unknown => {
      const k = Math.floor(rnd() * (depth > 2 ? 6 : 9));
      switch (k) {
        case 0: return null;
        case 1: return pick([0, -1, 1e308, -1e308, 1.5, 2 ** 53 + 1, -0]);
        case 2: return rnd() < 0.5;
        case 3: case 4: case 5: return str();
        case 6: return Array.from({ length: Math.floor(rnd() * 4) }, () => value(depth + 1));
        default: {
          const o: Record<string, unknown> = {};
          for (let i = Math.floor(rnd() * 5); i > 0; i--) Object.defineProperty(o, pick(KEYS), { value: value(depth + 1), enumerable: true, writable: true, configurable: true });
          return o;
        }
      }
    };
    const before = dumpDb(h.store.db);
    const statuses = new Map<number, number>();
    for (let i = 0; i < 400; i++) {
      const kind = rnd();
      let res;
      if (kind < 0.55) {
        const [method, url0] = pick(MUTATING);
        const url = rnd() < 0.15 ? url0.replace('alpha', encodeURIComponent(str())).replace('a-4', encodeURIComponent(str())) : url0;
        const body = value();
        // Always malformed: an unknown field in an object, or not an object, or broken JSON, or a wrong content type.
        const shape = Math.floor(rnd() * 4);
        let payload: string, type = 'application/json';
        if (shape === 0) payload = JSON.stringify({ ...(typeof body === 'object' && body && !Array.isArray(body) ? body : {}), ['zz' + Math.floor(rnd() * 1e6)]: value() });
        else if (shape === 1) payload = JSON.stringify(Array.isArray(body) || typeof body !== 'object' || body === null ? body : [body]);
        else if (shape === 2) payload = JSON.stringify(value()).slice(0, -1) + pick(['{', ',', '"', ']']);
        else { payload = String(str()); type = pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml']); }
        res = await h.app.inject({ method: method as 'POST', url, headers: { ...h.auth('admin'), 'content-type': type }, payload });
      } else {
        const qs = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => `${encodeURIComponent(pick(KEYS))}=${encodeURIComponent((() => { const v = value(); return typeof v === 'string' ? v : JSON.stringify(v); })())}`).join('&');
        res = await h.app.inject({ method: 'GET', url: `${pick(READS)}?${rnd() < 0.1 ? '%%%&&==' : qs}`, headers: h.auth('admin') });
      }
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      expect(res.statusCode, `request ${i}: ${res.body.slice(0, 200)}`).toBeLessThan(500);
      if (res.statusCode >= 400) expect(String(res.json().error?.code), `request ${i}: ${res.statusCode} ${res.body.slice(0, 300)}`).toMatch(/^[A-Z0-9_]+$/);
    }
    const after = dumpDb(h.store.db);
    if (after !== before) {
      const b = JSON.parse(before) as [string, unknown[]][], a = JSON.parse(after) as [string, unknown[]][];
      const changed = a.filter(([, rows], i) => JSON.stringify(rows) !== JSON.stringify(b[i]?.[1])).map(([t, rows]) => `${t}: ${JSON.stringify(rows).slice(-600)}`);
      expect(changed).toEqual([]);
    }
    expect((await h.app.inject({ url: '/api/status', headers: h.auth('viewer') })).statusCode).toBe(200);
    expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
    expect(statuses.get(400)).toBeGreaterThan(100);
  });
});
