/**
 * Commands across processes: `tradelab bot start` runs two replay bots in one real process (A); other real processes
 * (`tradelab bot pause|start|kill`, `tradelab kill-all`) act on them through the shared state (bot_commands,
 * bot_tasks) and A's own venue, within a bounded time. No fakes: the `tradelab` bin, its SQLite state, SIGTERM-free
 * endings.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedFile, BTC_1H, REPO_ROOT } from '../../test-support/shared-data.ts';
import { openStateStore, type StateStore } from '../state/store.ts';
import { BotService } from '../bots/service.ts';
import { BotHost } from '../runtime/host.ts';
import { runLiveCli } from './cli-harness.test-util.ts';

const BIN = resolve(REPO_ROOT, 'research/bin/tradelab.js');
const FILE = sharedFile(BTC_1H);
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Done { code: number | null; out: string; err: string; ms: number }

function tradelab(args: string[], home: string): { child: ChildProcess; done: Promise<Done> } {
  const t0 = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], { cwd: home, env: { ...process.env, TRADELAB_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '', err = '';
  child.stdout?.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr?.on('data', (b: Buffer) => { err += b.toString(); });
  const done = new Promise<Done>((res, rej) => {
    child.on('error', rej);
    child.on('exit', (code) => res({ code, out, err, ms: Date.now() - t0 }));
  });
  return { child, done };
}

async function until(what: string, cond: () => boolean, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const cursorOf = (store: StateStore, id: string): number => store.bots.getState<number>(id, '', 'cursor') ?? -1;

describe('commands to bots running in another process', () => {
  it('pause, a second start, kill, stop and kill-all from other processes act on the running process within seconds', async () => {
    const home = mkdtempSync(join(tmpdir(), 'tl-cmd-'));
    dirs.push(home);
    const env = { TRADELAB_HOME: home };
    // two replay bots at 36000 x real time (a 1h bar every 100 ms): they would run for minutes
    for (const [name, strategy] of [['g1', 'grid'], ['g2', 'grid'], ['s1', 'sma-cross']]) {
      const c = await runLiveCli(['bot', 'create', name, '--strategy', strategy, '--symbol', 'BTC/USDT', '--data', FILE, '--from', '2022-01-01', '--to', '2022-06-01', '--speed', '36000'], env, home);
      expect(c.code, c.err).toBe(0);
    }
    const store = openStateStore(home);
    try {
      const service = new BotService(store, { liveTradingEnabled: false });
      service.transition('g1', 'running');
      service.transition('g2', 'running');
      service.transition('s1', 'running');
      // process A: resumes every running bot and runs them until they end
      const a = tradelab(['bot', 'start'], home);
      await until('g1 resting orders', () => store.orders.unsettledOrders('g1').length > 0 && store.orders.unsettledOrders('g2').length > 0 && cursorOf(store, 's1') > 0);
      expect(store.commands.liveTask('g1')?.pid).toBe(a.child.pid);

      // a second process may not run a bot A runs
      const twice = await tradelab(['bot', 'start', 'g1'], home).done;
      expect(twice.code).toBe(2);
      expect(twice.err).toMatch(new RegExp(`bot 'g1' is already running in pid ${a.child.pid}`));

      // pause from process B: A places no new order for g1 while its bars go on
      const p = await tradelab(['bot', 'pause', 'g1'], home).done;
      expect(p.code, p.err).toBe(0);
      const cur0 = cursorOf(store, 'g1');
      const orders0 = store.orders.ordersFor('g1').length;
      await until('g1 bars while paused', () => cursorOf(store, 'g1') >= cur0 + 30 * 3_600_000);
      expect(store.orders.ordersFor('g1').length).toBe(orders0);
      expect(store.bots.require('g1').status).toBe('paused');

      // kill from process C: A cancels g1's resting orders through its own venue and ends g1's task
      const resting = store.orders.unsettledOrders('g1').length;
      expect(resting).toBeGreaterThan(0);
      const k = await tradelab(['bot', 'kill', 'g1', '--json'], home).done;
      expect(k.code, k.err).toBe(0);
      const kr = JSON.parse(k.out) as { botId: string; cancelled: string[]; failed: unknown[] };
      // (bars go on while the command travels: some resting orders may fill first)
      expect(kr.cancelled.length).toBeGreaterThan(0);
      expect(kr.cancelled.length).toBeLessThanOrEqual(resting);
      expect(kr.failed).toEqual([]);
      expect(store.bots.require('g1').status).toBe('emergency-stopped');
      expect(store.orders.unsettledOrders('g1')).toEqual([]);
      const cmd = store.db.prepare(`SELECT taken_by, done_at - created_at AS ms FROM bot_commands WHERE bot_id = 'g1' AND command = 'kill'`).get() as { taken_by: string; ms: number };
      expect(cmd.taken_by).toMatch(new RegExp(`^${a.child.pid}@`));
      expect(cmd.ms).toBeLessThan(3000); // claimed and done within a poll or two
      await until('g1 task ended', () => store.commands.task('g1') === undefined, 10_000);
      // nothing placed after the kill, and the venue A wrote holds no open order of g1
      const ordersAfterKill = store.orders.ordersFor('g1').length;
      expect(store.journal.listAlerts({ botId: 'g1' }).map((x) => x.code)).toContain('KILL_SWITCH');
      const host = new BotHost(store, service, { home, cacheDir: join(home, 'cache'), cwd: home });
      const v = await host.replayVenue(service.get('g1'), service.settings('g1'));
      v.clock.setBar(v.frame.ts.indexOf(cursorOf(store, 'g1')));
      expect(await v.venue.fetchOpenOrders('BTC/USDT')).toEqual([]);

      // stop from process D: without a choice it is refused (resting orders); with --cancel-orders A cancels them
      const noChoice = await tradelab(['bot', 'stop', 'g2'], home).done;
      expect([noChoice.code, noChoice.err]).toEqual([2, expect.stringMatching(/resting orders; say --cancel-orders or --keep-orders/)]);
      const st = await tradelab(['bot', 'stop', 'g2', '--cancel-orders'], home).done;
      expect(st.code, st.err).toBe(0);
      expect(st.out).toMatch(/bot g2 stopped; \d+ orders cancelled/);
      expect(store.bots.require('g2').status).toBe('stopped');
      expect(store.orders.unsettledOrders('g2')).toEqual([]);

      // kill-all from process E: s1, still running in A, is emergency-stopped by A; A then has no bot left and exits
      const all = await tradelab(['kill-all', '--json'], home).done;
      expect(all.code, all.err).toBe(0);
      const ar = JSON.parse(all.out) as { botId: string }[];
      expect(ar.map((x) => x.botId)).toContain('s1');
      const end = await a.done;
      expect(end.code, end.err).toBe(0);
      expect(end.out).toMatch(/g1\s+emergency-stopped\s+stopped/);
      expect(end.out).toMatch(/s1\s+emergency-stopped\s+stopped/);
      expect(end.out).toMatch(/g2\s+stopped\s+stopped/);
      expect(store.orders.ordersFor('g1').length).toBe(ordersAfterKill);
      expect(store.checkInvariants('g1')).toEqual([]);
      expect(store.checkInvariants('s1')).toEqual([]);
      expect(store.checkInvariants('g2')).toEqual([]);
    } finally {
      store.close();
    }
  }, 180_000);
});
