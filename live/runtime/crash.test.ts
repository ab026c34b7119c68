/**
 * Crash safety: a replay bot in a child process is SIGKILLed at 20 seeded moments spread over its run, restarted
 * each time (auto-resume + reconciliation), and must end exactly like an uninterrupted run: no order placed twice,
 * no fill lost, every lot consistent.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedFile, BTC_1H, REPO_ROOT } from '../../test-support/shared-data.ts';
import { openStateStore } from '../state/store.ts';
import { NOT_ON_VENUE } from './order-path.ts';

const CHILD = resolve(REPO_ROOT, 'live/runtime/testing/crash-child.ts');
const FILE = sharedFile(BTC_1H);
const FROM = Date.parse('2021-01-01T00:00:00Z');
const TO = Date.parse('2021-07-01T00:00:00Z');
const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/** mulberry32: a seeded uniform [0, 1). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ChildResult { killed: boolean; out: string; ms: number; firstBar: number }

/** Runs the child; with `killAfterMs`, SIGKILLs it that long after it printed 'ready'. */
function runChild(home: string, killAfterMs?: (firstBar: number) => number): Promise<ChildResult> {
  return new Promise((res, rej) => {
    const t0 = Date.now();
    const p = spawn(process.execPath, ['--import', 'tsx', CHILD, home, FILE, String(FROM), String(TO)], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    let tReady = 0, firstBar = -1;
    p.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /ready (\d+)\n/.exec(out);
      if (!tReady && m) {
        tReady = Date.now();
        firstBar = Number(m[1]);
        if (killAfterMs !== undefined) setTimeout(() => p.kill('SIGKILL'), killAfterMs(firstBar));
      }
    });
    p.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    p.on('error', rej);
    p.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') res({ killed: true, out, ms: Date.now() - t0, firstBar });
      else if (code === 0) res({ killed: false, out, ms: tReady ? Date.now() - tReady : 0, firstBar });
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

describe('crash safety: SIGKILL at 20 seeded moments, restart, reconcile', () => {
  it('ends exactly like the uninterrupted run', async () => {
    const ref = mkdtempSync(join(tmpdir(), 'tl-crash-ref-'));
    const home = mkdtempSync(join(tmpdir(), 'tl-crash-'));
    dirs.push(ref, home);
    const base = await runChild(ref);
    expect(base.killed).toBe(false);
    const want = snapshot(ref);
    expect(want.status).toBe('stopped');
    expect(want.fills.length).toBeGreaterThan(20);
    expect(want.violations).toEqual([]);

    const rand = rng(20261121);
    const runMs = Math.max(base.ms, 50);
    const lastBar = Number(/done end-of-data (\d+)/.exec(base.out)?.[1]);
    const k0 = base.firstBar;
    expect(lastBar).toBeGreaterThan(k0 + 1000);
    let kills = 0;
    while (kills < 20) {
      // Spread over what is left of the run: kill n lands at a seeded point of the next 1/(21 - n) of it.
      const n = kills;
      const r = await runChild(home, (k) => Math.floor(rand() * 0.9 * runMs * ((lastBar - k) / (lastBar - k0)) / (21 - n)));
      if (!r.killed) break; // the run finished before the kill landed
      kills++;
    }
    expect(kills).toBe(20);
    const last = await runChild(home);
    expect(last.out).toMatch(/done/);

    const got = snapshot(home);
    expect(got.violations).toEqual([]);
    expect(got.status).toBe('stopped');
    // No order placed twice: one filled order per decision tag, and the venue holds each client id once.
    const tags = got.orders.filter((o) => o.status !== 'cancelled').map((o) => o.tag);
    expect(new Set(tags).size).toBe(tags.length);
    const venueOrders = readFileSync(join(home, 'venues', 'crash.jsonl'), 'utf8').split('\n').filter(Boolean)
      .map((l) => { try { return JSON.parse(l) as { t: string; o?: { clientOrderId: string }; f?: { id: string; clientOrderId: string } }; } catch { return undefined; } })
      .filter((x) => x !== undefined);
    const venueIds = venueOrders.filter((x) => x.t === 'order').map((x) => x.o?.clientOrderId);
    expect(new Set(venueIds).size).toBe(venueIds.length);
    // No fill lost: every venue fill of an order the venue accepted is in the store.
    const accepted = new Set(venueIds);
    const venueFills = venueOrders.filter((x) => x.t === 'fill' && accepted.has(x.f?.clientOrderId as string)).map((x) => x.f?.id);
    expect(new Set(got.tradeIds)).toEqual(new Set(venueFills));
    // Final state equal to the uninterrupted run.
    expect(got.fills).toEqual(want.fills);
    expect(got.orderRows).toEqual(want.orderRows);
    expect(got.lots).toEqual(want.lots);
    expect(got.positions).toEqual(want.positions);
    expect(got.state).toEqual(want.state);
  }, 150_000);
});
