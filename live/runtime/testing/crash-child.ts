/**
 * Child process of the crash-safety test: runs (or auto-resumes) one replay bot in TRADELAB_HOME = argv[2] over the
 * candle file argv[3] between argv[4] and argv[5], as fast as possible. Prints 'ready' when the first bar is done
 * ('ready <bar>') and 'done <end> <last bar>' at the end; the parent SIGKILLs it at seeded moments in between.
 * Usage: tsx crash-child.ts <home> <file> <from ms> <to ms> [strategy] [params JSON]
 */
import { writeSync } from 'node:fs';
import { openStateStore } from '../../state/store.ts';
import { BotService } from '../../bots/service.ts';
import { BotHost } from '../host.ts';

const [home, file, from, to, strategy = 'sma-cross', paramsJson = '{"fast":5,"slow":15}'] = process.argv.slice(2);
const store = openStateStore(home);
const service = new BotService(store, { liveTradingEnabled: false });
let ready = false;
const host = new BotHost(store, service, {
  home, cacheDir: `${home}/cache`, cwd: process.cwd(),
  onStep: (_id, k) => { if (!ready) { ready = true; writeSync(1, `ready ${k}\n`); } },
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
