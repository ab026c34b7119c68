import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isTradelabError } from '../../engine/errors.ts';
import { openStateStore } from './store.ts';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

describe('secrets are never stored', () => {
  const KEY = 'PLANTEDkey-7f3a9c1e5b2d4f60';
  const SECRET = 'PLANTEDsecret-0d9e8c7b6a5f4e3d';

  it('no column can hold one, JSON with credential keys is refused, and the database files never contain them', () => {
    const home = mkdtempSync(join(tmpdir(), 'tradelab-secrets-'));
    dirs.push(home);
    const store = openStateStore(home);
    const refused = (f: () => unknown) => { try { f(); } catch (e) { return isTradelabError(e) && e.code === 'STATE_SECRET_REFUSED'; } return false; };

    const bot = { name: 'b', strategy: 'grid@1', symbols: ['BTC/USDT'], exchange: 'coinbase', mode: 'live' as const, budget: 100 };
    expect(refused(() => store.bots.create({ ...bot, params: { apiKey: KEY } }, 'cli', 1))).toBe(true);
    expect(refused(() => store.bots.create({ ...bot, risk: { exchange: { credentials: { secret: SECRET } } } }, 'cli', 1))).toBe(true);
    store.bots.create(bot, 'cli', 1);
    expect(refused(() => store.journal.setOverride({ botId: 'b', key: 'exchange', value: { api_key: KEY }, setBy: 'api', setAt: 2 }))).toBe(true);
    expect(refused(() => store.journal.raiseAlert({ ts: 3, level: 'info', code: 'X', message: 'm', details: { headers: { password: SECRET } } }))).toBe(true);
    expect(refused(() => store.journal.audit({ ts: 3, actor: 'a', action: 'x', entity: 'e', entityId: '1', after: [{ privateKey: KEY }] }))).toBe(true);
    expect(refused(() => store.bots.setState('b', '', 'auth', { token: KEY }, 4))).toBe(true);
    // A normal run's writes.
    store.orders.recordOrderIntent({ botId: 'b', clientId: 'c1', symbol: 'BTC/USDT', side: 'buy', type: 'limit', price: 10, amount: 1, ts: 5 });
    store.orders.markOrderPlaced('c1', 'x1', 6);
    store.orders.applyFill({ botId: 'b', clientId: 'c1', tradeId: 't1', ts: 7, price: 10, amount: 1, fee: 0.01 });
    store.journal.raiseAlert({ botId: 'b', ts: 8, level: 'warning', code: 'RECONCILE', message: 'imported 0 orders' });

    const cols = (store.db.prepare("SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'").all() as { t: string; c: string }[]);
    expect(cols.length).toBeGreaterThan(50);
    // (the server's login sessions keep only the SHA-256 of a token, migration 5: a hash is not a credential)
    expect(cols.filter((x) => /secret|passw|api_?key|token|credential|private/i.test(x.c) && !(x.t === 'sessions' && x.c === 'token_hash'))).toEqual([]);

    // Read the files both before and after the checkpoint: the WAL and the main file.
    const scan = () => {
      for (const f of readdirSync(home)) {
        if (!f.startsWith('tradelab.db')) continue;
        const bytes = readFileSync(join(home, f)).toString('latin1');
        expect(bytes.includes(KEY), f).toBe(false);
        expect(bytes.includes(SECRET), f).toBe(false);
      }
    };
    scan();
    // The scan can fail: a planted value written through an allowed field is found.
    store.journal.raiseAlert({ ts: 9, level: 'info', code: 'CANARY', message: 'canary-9b1f' });
    store.close();
    scan();
    const all = readdirSync(home).filter((f) => f.startsWith('tradelab.db')).map((f) => readFileSync(join(home, f)).toString('latin1')).join('');
    expect(all.includes('canary-9b1f')).toBe(true);
  });
});
