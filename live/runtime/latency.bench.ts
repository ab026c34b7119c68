/**
 * live.bar-to-intent: in replay, the time from a bar's close (the replay adapter has played it) to the order reaching
 * the adapter (its createOrder entered), for every order of a replay bot over 3,000 synthetic 1m bars with sma-cross
 * 5/15, on the path every replay bot takes (replay adapter with its venue journal, order manager with its risk
 * checks, the risk supervisor at each close) and a file-backed state store (WAL, as under TRADELAB_HOME). Target: p99 under 5 ms.
 * The case's time is the whole replay; p50/p99 of bar-to-intent (and of a whole bar step) are in `extra`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineBench } from '../../bench/harness.ts';
import { sliceFrame } from '../../engine/frame.ts';
import { openStateStore } from '../state/store.ts';
import { BotService } from '../bots/service.ts';
import { BotRunner } from './bot-runner.ts';
import { nullLogger } from './logger.ts';
import { execReplay } from './exec-replay.ts';
import { RiskSupervisor } from './risk-supervisor.ts';

const BARS = 3000;

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export default defineBench((ctx) => {
  const frame = sliceFrame(ctx.frame1m(), 0, BARS);
  const store = openStateStore(mkdtempSync(join(tmpdir(), 'tl-bench-live-')));
  const service = new BotService(store, { liveTradingEnabled: false }, () => frame.ts[0]);
  const latencies: number[] = [];
  const steps: number[] = [];
  let run = 0;
  return [{
    name: 'live.bar-to-intent',
    bars: BARS,
    run: async () => {
      const bot = service.create({
        name: `bench-${++run}`, strategy: 'sma-cross', params: { fast: 5, slow: 15 }, symbols: ['BTC/USDT'], exchange: 'replay', mode: 'replay',
        budget: 10_000, settings: { timeframe: '1m', speed: 'max' },
      });
      service.transition(bot.id, 'running');
      let tBar = 0, tStep = 0;
      const x = execReplay(store, service.get(bot.id), 'sma-cross', frame, 0, frame.length, { feeRate: 0.001, slippageBps: 0 }, {
        journal: true, onCreate: () => { latencies.push(performance.now() - tBar); },
      });
      // the host's risk supervisor (denial effects, rotation) looks at every bar's close, as for every hosted bot
      const risk = new RiskSupervisor({
        store, bot: service.get(bot.id), barMs: 60_000, log: nullLogger,
        transition: (to, reason) => { service.transition(bot.id, to, 'risk', reason); }, resolve: (ref) => service.strategyOf({ ...bot, strategy: ref }),
      });
      const runner = new BotRunner({
        store, bot: service.get(bot.id), strategy: service.strategyOf(bot), settings: service.settings(bot.id), frame,
        path: x.path, placeAt: 'close', risk,
        clock: { setBar: (b) => { tStep = performance.now(); x.clock.setBar(b); tBar = performance.now(); } },
        log: nullLogger, onStep: () => { steps.push(performance.now() - tStep); },
      });
      await runner.run();
    },
    extra: () => ({
      orders: latencies.length,
      p50Ms: pct(latencies, 50), p99Ms: pct(latencies, 99), maxMs: Math.max(...latencies),
      stepP50Ms: pct(steps, 50), stepP99Ms: pct(steps, 99),
    }),
    teardown: () => store.close(),
  }];
});
