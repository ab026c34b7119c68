// The bot runtime's audit rows for the API's create, copy and promote: one state row per change, with the user as
// actor (never a second row with actor 'cli', which live/bots writes for the command line).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openMemoryStateStore } from '../state/store.ts';
import { RuntimeBotService } from './runtime-bot-service.ts';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

describe('runtime audit rows', () => {
  it('create, copy, promote in place and to a new bot: each change once, by the user', async () => {
    const home = mkdtempSync(join(tmpdir(), 'tl-audit-'));
    dirs.push(home);
    const store = openMemoryStateStore();
    const rt = new RuntimeBotService({ store, home, cacheDir: join(home, 'cache'), cwd: home, liveTradingEnabled: true, fiscalLogs: false, now: () => 1_000 });
    try {
      const input = { name: 'p1', strategy: 'sma-cross', symbols: ['BTC/USDT'], exchange: 'binance', mode: 'paper' as const, budget: 1000 };
      await rt.create(input, 'alice');
      await rt.copy('p1', { name: 'p2' }, 'bob');
      await rt.promote('p1', { inPlace: true }, 'carol');
      await rt.promote('p2', { inPlace: false, newName: 'p2-live' }, 'dave');
      const rows = store.journal.listAudit().map((r) => `${r.entityId} ${r.action} ${r.actor}`);
      expect(rows).toEqual([
        'p1 bot.create alice',
        'p2 bot.create bob',
        'p1 bot.promote carol',
        'p2-live bot.create dave',
        'p2-live bot.promote-copy dave',
      ]);
      expect(store.bots.require('p1').mode).toBe('live');
      expect(store.bots.require('p2-live').mode).toBe('live');
    } finally {
      await rt.close();
      store.close();
    }
  });
});
