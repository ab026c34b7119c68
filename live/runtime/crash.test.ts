/**
 * Crash safety: a replay bot in a child process is SIGKILLed at 20 seeded points spread over its run (deterministic:
 * the child kills itself at a chosen bar and event count, crash-child.ts — not after a wall-clock delay), restarted
 * each time (auto-resume + reconciliation), and must end exactly like an uninterrupted run: no order placed twice,
 * no fill lost, every lot consistent. A signal bot (sma-cross) and an order bot (grid: onFill mid-bar, strategy state
 * through saveState/loadState), both on the one replay path (replay adapter with its venue journal + order manager).
 */
import { seededRandom as rng } from '../../engine/random.ts';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedFile, BTC_1H, REPO_ROOT } from '../../test-support/shared-data.ts';
import { openStateStore } from '../state/store.ts';
import { VenueJournalRepo } from '../state/venue-journal.ts';
import { BotService } from '../bots/service.ts';
import type { SimOrderRequest, VenueCommand } from '../exchange/sim-venue.ts';
import { BotHost } from './host.ts';
import { NOT_ON_VENUE } from './order-path.ts';

const CHILD = resolve(REPO_ROOT, 'live/runtime/testing/crash-child.ts');
const FILE = sharedFile(BTC_1H);
const FROM = Date.parse('2021-01-01T00:00:00Z');
const TO = Date.parse('2021-04-01T00:00:00Z');
/** The grid trades far more per bar (and its bars cost more): a shorter range. */
const GRID_TO = Date.parse('2021-01-15T00:00:00Z');
const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });


interface ChildResult { killed: boolean; out: string; firstBar: number }

interface Case { readonly strategy: string; readonly params: Record<string, unknown>; readonly to: number; readonly minFills: number }

/** Runs the child; with `crashAt` ('<bar>:<n>', see crash-child.ts) it SIGKILLs itself at that deterministic point. */
function runChild(c: Case, home: string, crashAt?: string): Promise<ChildResult> {
  return new Promise((res, rej) => {
    const env = { ...process.env };
    delete env.TRADELAB_CRASH_AT;
    if (crashAt !== undefined) env.TRADELAB_CRASH_AT = crashAt;
    const p = spawn(process.execPath, ['--import', 'tsx', CHILD, home, FILE, String(FROM), String(c.to), c.strategy, JSON.stringify(c.params)], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    p.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    p.on('error', rej);
    p.on('exit', (code, signal) => {
      const firstBar = Number(/ready (\d+)\n/.exec(out)?.[1] ?? -1);
      if (signal === 'SIGKILL') res({ killed: true, out, firstBar });
      else if (code === 0) res({ killed: false, out, firstBar });
      else rej(new Error(`child exited ${code}: ${err}`));
    });
  });
}

function snapshot(home: string) {
  const store = openStateStore(home);
  try {
    const orders = store.orders.ordersFor('crash');
    const strip = <T extends object>(rows: T[], keys: string[]) => rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !keys.includes(k))));
    return {
      orders,
      // Order rows without ids and client ids (sequence numbers may skip after a crash) and bookkeeping times.
      orderRows: strip(orders.filter((o) => !(o.status === 'cancelled' && o.filled === 0 && o.reason === NOT_ON_VENUE)), ['id', 'clientId', 'exchangeId', 'updatedAt', 'lotId']),
      fills: strip(store.orders.fillsFor('crash'), ['id', 'orderId', 'tradeId']),
      lots: strip(store.orders.lotsFor('crash'), ['id', 'openFillId']),
      positions: strip(store.orders.positionsFor('crash'), ['updatedAt']),
      state: store.bots.allState('crash'),
      status: store.bots.require('crash').status,
      violations: store.checkInvariants('crash'),
      tradeIds: store.orders.fillsFor('crash').map((f) => f.tradeId),
    };
  } finally {
    store.close();
  }
}

/** The venue as a restarted process finds it (rebuilt from its journal, brought up to the bot's last bar): its fills, and the client ids it accepted. */
async function venueView(home: string) {
  const store = openStateStore(home);
  try {
    const service = new BotService(store, { liveTradingEnabled: false });
    const host = new BotHost(store, service, { home, cacheDir: `${home}/cache`, cwd: home });
    const bot = service.get('crash');
    const v = await host.replayVenue(bot, service.settings('crash'));
    v.clock.setBar(v.frame.length - 1);
    const trades = await v.venue.fetchMyTrades('BTC/USDT');
    const created = new VenueJournalRepo(store.db).read('crash').map((r) => r.command as VenueCommand)
      .filter((c): c is VenueCommand & { kind: 'create'; req: SimOrderRequest } => c.kind === 'create').map((c) => c.req.clientOrderId);
    return { tradeIds: trades.map((t) => t.id), created };
  } finally {
    store.close();
  }
}

const CASES: readonly Case[] = [
  { strategy: 'sma-cross', params: { fast: 5, slow: 15 }, to: TO, minFills: 20 },
  { strategy: 'grid', params: {}, to: GRID_TO, minFills: 100 },
];

describe.each(CASES)('crash safety ($strategy): SIGKILL at 20 seeded points, restart, reconcile', (c) => {
  it('ends exactly like the uninterrupted run', async () => {
    const ref = mkdtempSync(join(tmpdir(), 'tl-crash-ref-'));
    const home = mkdtempSync(join(tmpdir(), 'tl-crash-'));
    dirs.push(ref, home);
    const base = await runChild(c, ref);
    expect(base.killed).toBe(false);
    const want = snapshot(ref);
    expect(want.status).toBe('stopped');
    expect(want.fills.length).toBeGreaterThan(c.minFills);
    expect(want.violations).toEqual([]);

    const rand = rng(20261121);
    const lastBar = Number(/done end-of-data (\d+)/.exec(base.out)?.[1]);
    const k0 = base.firstBar;
    expect(lastBar).toBeGreaterThan(k0 + 300);
    // 20 kill points, one in each twentieth of the run: after a seeded bar, at a seeded event (1-8) from there — inside
    // a fill transaction, between an order's record and its write to the venue, or right after a bar's commit.
    const points = Array.from({ length: 20 }, (_, i) => `${k0 + Math.floor((i + rand()) * (lastBar - k0) / 20)}:${1 + Math.floor(rand() * 8)}`);
    let kills = 0;
    for (const at of points) {
      const r = await runChild(c, home, at);
      expect(r.killed, `kill at ${at}`).toBe(true);
      kills++;
    }
    expect(kills).toBe(20);
    const last = await runChild(c, home);
    expect(last.out).toMatch(/done/);

    const got = snapshot(home);
    expect(got.violations).toEqual([]);
    expect(got.status).toBe('stopped');
    // No order placed twice: one order per decision tag, and the venue accepted each client id once.
    const tags = got.orders.filter((o) => o.status !== 'cancelled' || o.filled > 0).map((o) => o.tag);
    expect(new Set(tags).size).toBe(tags.length);
    const venue = await venueView(home);
    expect(new Set(venue.created).size).toBe(venue.created.length);
    // No fill lost: every fill of the venue is in the store, and nothing else.
    expect(new Set(got.tradeIds)).toEqual(new Set(venue.tradeIds));
    expect(got.tradeIds.length).toBe(venue.tradeIds.length);
    // Final state equal to the uninterrupted run.
    expect(got.fills).toEqual(want.fills);
    expect(got.orderRows).toEqual(want.orderRows);
    expect(got.lots).toEqual(want.lots);
    expect(got.positions).toEqual(want.positions);
    expect(got.state).toEqual(want.state);
  }, 600_000);
});
