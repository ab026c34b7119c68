/**
 * A replay bot on the execution core: the replay adapter of live/exchange (engine fill model, virtual wallet) driven
 * bar by bar by the runner's clock, and the order manager of live/execution as the order path. The ONE replay path of
 * every bot, signal and order strategies alike (risk checks, virtual wallet, buys by cost, client ids,
 * reconciliation).
 *
 * Durability: with `journal: true` the venue's accepted writes go to the state store's venue_journal (TRADELAB_HOME),
 * keyed by the bot id, and a restarted process rebuilds the venue from it: the exchange's state of a replay.
 * In-bar: the venue's fill hook applies each fill to the store at once and hands it to the runner (ExecOrderPath.inBar),
 * whose `onFill` orders join the rest of the bar's path, as in the order backtest.
 */
import type { CandleFrame } from '../../engine/frame.ts';
import { marketSpec } from '../../engine/orders/market-spec.ts';
import { createReplayAdapter, type ReplayExchange, type ReplayJournal } from '../exchange/replay-adapter.ts';
import type { SimFillModel } from '../exchange/sim-venue.ts';
import { createOrderManager } from '../execution/order-manager.ts';
import { seededRandom, type FaultConfig } from '../exchange/faults.ts';
import type { RiskConfig } from '../../engine/risk/index.ts';
import type { StateStore } from '../state/store.ts';
import type { BotRow } from '../state/types.ts';
import { VenueJournalRepo } from '../state/venue-journal.ts';
import type { BarClock } from './bot-runner.ts';
import { ExecOrderPath } from './exec-path.ts';

export interface ExecReplay {
  readonly adapter: ReplayExchange;
  readonly path: ExecOrderPath;
  readonly clock: BarClock;
}

export interface ExecReplayOptions {
  readonly faults?: FaultConfig;
  /** Keep the venue's writes in the store's venue_journal and rebuild the venue from it (a bot that may restart). */
  readonly journal?: boolean;
  /** Called when the adapter receives an order write (latency benchmark). */
  readonly onCreate?: () => void;
}

/** The venue journal of a replay bot, in the state store. */
export function storeReplayJournal(store: StateStore, botId: string): ReplayJournal {
  const repo = new VenueJournalRepo(store.db);
  return { read: () => repo.read(botId), append: (played, command) => repo.append(botId, played, command) };
}

/**
 * Bars before `startIndex` are history; `clock.setBar(k)` plays bars until bar k has been played (its resting and
 * market orders matched, then closed). The market has no tick, step or minimums (the signal backtest has none) and
 * pays `feeRate` as maker and taker. A bot of several symbols passes one frame per symbol, aligned (the same
 * timestamps): bar k is played for every market, in the bot's symbol order, as the order backtest does.
 */
export function execReplay(store: StateStore, bot: BotRow, strategyId: string, frame: CandleFrame | readonly CandleFrame[], startIndex: number, endIndex: number,
  fill: { feeRate: number; slippageBps: number } & Pick<SimFillModel, 'intrabarPath' | 'fillOn' | 'maxVolumeShare'>, opts: ExecReplayOptions = {}): ExecReplay {
  // One frame per symbol of the bot (several: their bars aligned on one timeline, the shared wallet in one quote).
  const frames = Array.isArray(frame) ? frame as readonly CandleFrame[] : [frame as CandleFrame];
  const symbols = bot.symbols.length === frames.length ? bot.symbols : [bot.symbols[0]];
  const quote = symbols[0].split('/')[1]?.split(':')[0] ?? 'USDT';
  const first = frames[0];
  const adapter = createReplayAdapter({
    markets: frames.map((f, j) => ({
      frame: { ...f, symbol: symbols[j] },
      spec: marketSpec(symbols[j], { priceTick: 0, amountStep: 0, minAmount: 0, minNotional: 0, makerFee: fill.feeRate, takerFee: fill.feeRate }),
    })),
    balances: { [quote]: bot.budget },
    fill: { slippageBps: fill.slippageBps, intrabarPath: fill.intrabarPath, fillOn: fill.fillOn, maxVolumeShare: fill.maxVolumeShare },
    startTs: first.ts[startIndex], endTs: endIndex < first.length ? first.ts[endIndex] : undefined, faults: opts.faults,
    journal: opts.journal ? storeReplayJournal(store, bot.id) : undefined,
  });
  if (opts.onCreate) {
    const create = adapter.createOrder.bind(adapter);
    (adapter as { createOrder: typeof create }).createOrder = (req) => { opts.onCreate?.(); return create(req); };
  }
  // Replay time does not pass while retrying: back-offs are not slept (a fault-injected replay stays fast).
  const om = createOrderManager({
    store, port: adapter, botId: bot.id, strategyId, risk: bot.risk as RiskConfig, resend: 'same-client-id',
    deps: { now: () => adapter.now(), ...(opts.faults ? { sleep: async () => {}, random: seededRandom(opts.faults.seed + 1) } : {}) },
  });
  // The adapter's timeline is the frame's rows (history included): bar k has been played when barsPlayed > k.
  const clock: BarClock = { setBar: (k) => { while (adapter.barsPlayed <= k && adapter.advance()) { /* play */ } } };
  return { adapter, path: new ExecOrderPath(om, adapter.venue), clock };
}
