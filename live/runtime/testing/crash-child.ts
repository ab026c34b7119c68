/**
 * Child process of the crash-safety test: runs (or auto-resumes) one replay bot in TRADELAB_HOME = argv[2] over the
 * candle file argv[3] between argv[4] and argv[5], as fast as possible. Prints 'ready <bar>' when the first bar is done
 * and 'done <end> <last bar>' at the end.
 *
 * Deterministic kills: with TRADELAB_CRASH_AT=<bar>:<n> in its environment the child SIGKILLs ITSELF at the n-th event
 * (n >= 1) once a bar >= <bar> has been stepped. Events, in the order they happen: a store step inside a fill
 * transaction (fill inserted, order updated, lots applied: the transaction is cut short), an order write reaching the
 * venue (recorded 'pending', not yet sent or marked placed), and a bar step done (its transaction committed). The
 * same database and the same <bar>:<n> give the same kill point, whatever the machine's speed.
 * Usage: tsx crash-child.ts <home> <file> <from ms> <to ms> [strategy] [params JSON]
 */
import { writeSync } from 'node:fs';
import { openStateStore } from '../../state/store.ts';
import { BotService } from '../../bots/service.ts';
import { BotHost } from '../host.ts';

const [home, file, from, to, strategy = 'sma-cross', paramsJson = '{"fast":5,"slow":15}'] = process.argv.slice(2);
const crashAt = /^(\d+):(\d+)$/.exec(process.env.TRADELAB_CRASH_AT ?? '');
const killBar = crashAt ? Number(crashAt[1]) : Infinity;
const killEvent = crashAt ? Number(crashAt[2]) : Infinity;
let armed = false, events = 0;
const event = (): void => {
  if (!armed) return;
  if (++events >= killEvent) process.kill(process.pid, 'SIGKILL');
};

const store = openStateStore(home, { onStep: event });
const service = new BotService(store, { liveTradingEnabled: false });
let ready = false;
const host = new BotHost(store, service, {
  home, cacheDir: `${home}/cache`, cwd: process.cwd(),
  onCreateOrder: event,
  onStep: (_id, k) => {
    if (!ready) { ready = true; writeSync(1, `ready ${k}\n`); }
    if (k >= killBar) armed = true;
    event();
  },
});
if (!store.bots.get('crash')) {
  service.create({
    name: 'crash', strategy, params: JSON.parse(paramsJson) as Record<string, unknown>, symbols: ['BTC/USDT'], exchange: 'binance', mode: 'replay',
    budget: 10_000, settings: { timeframe: '1h', feeRate: 0.001, slippageBps: 3, fraction: 0.9, speed: 'max', data: { file, from: Number(from), to: Number(to) } },
  });
  service.transition('crash', 'running');
}
// Auto-resume: every bot that was running when the last process died.
const results = await host.resumeAll();
store.close();
writeSync(1, `done ${results.map((r) => `${r.outcome?.end ?? r.error} ${r.outcome?.lastBar ?? ''}`).join(',')}\n`);
