/**
 * A replay bot on the execution core: the replay adapter of live/exchange (engine fill model, virtual wallet) driven
 * bar by bar by the runner's clock, and the order manager of live/execution as the order path.
 */
import type { CandleFrame } from '../../engine/frame.ts';
import { marketSpec } from '../../engine/orders/market-spec.ts';
import { createReplayAdapter, type ReplayExchange } from '../exchange/replay-adapter.ts';
import { createOrderManager } from '../execution/order-manager.ts';
import { seededRandom, type FaultConfig } from '../exchange/faults.ts';
import type { RiskConfig } from '../../engine/risk/index.ts';
import type { StateStore } from '../state/store.ts';
import type { BotRow } from '../state/types.ts';
import type { BarClock } from './bot-runner.ts';
import { ExecOrderPath } from './exec-path.ts';

export interface ExecReplay {
  readonly adapter: ReplayExchange;
  readonly path: ExecOrderPath;
  readonly clock: BarClock;
}

/**
 * Bars before `startIndex` are history; `clock.setBar(k)` plays bars until bar k has been played (its resting and
 * market orders matched, then closed). The market has no tick, step or minimums (the signal backtest has none) and
 * pays `feeRate` as maker and taker.
 */
export function execReplay(store: StateStore, bot: BotRow, strategyId: string, frame: CandleFrame, startIndex: number, endIndex: number,
  fill: { feeRate: number; slippageBps: number }, opts: { faults?: FaultConfig } = {}): ExecReplay {
  const symbol = bot.symbols[0];
  const quote = symbol.split('/')[1]?.split(':')[0] ?? 'USDT';
  const spec = marketSpec(symbol, { priceTick: 0, amountStep: 0, minAmount: 0, minNotional: 0, makerFee: fill.feeRate, takerFee: fill.feeRate });
  const adapter = createReplayAdapter({
    markets: [{ frame: { ...frame, symbol }, spec }], balances: { [quote]: bot.budget }, fill: { slippageBps: fill.slippageBps },
    startTs: frame.ts[startIndex], endTs: endIndex < frame.length ? frame.ts[endIndex] : undefined, faults: opts.faults,
  });
  // Replay time does not pass while retrying: back-offs are not slept (a fault-injected replay stays fast).
  const om = createOrderManager({
    store, port: adapter, botId: bot.id, strategyId, risk: bot.risk as RiskConfig, resend: 'same-client-id',
    deps: { now: () => adapter.now(), ...(opts.faults ? { sleep: async () => {}, random: seededRandom(opts.faults.seed + 1) } : {}) },
  });
  let played = startIndex; // bars [startIndex, played) have been played
  const clock: BarClock = { setBar: (k) => { while (played <= k && adapter.advance()) played++; } };
  return { adapter, path: new ExecOrderPath(om), clock };
}
