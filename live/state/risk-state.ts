/**
 * Builds the engine's `RiskState` snapshot for a bot from the store, plus what only the runner knows (recent
 * prices, API error times, the clock). A "trade" for streaks and Kelly sizing is a closed lot, net of its fees.
 */
import { isoWeekStart, utcDayKey, utcDayStart, isoWeekKey, type RiskState } from '../../engine/risk/index.ts';
import type { StateStore } from './store.ts';
import { prep } from './db.ts';

const DAY_MS = 86_400_000;

/**
 * The equity points the rules read (drawdown: the running peak and the last point; Kelly: the last point): the
 * highest snapshot and the newest, in time order — two indexed reads instead of the whole P&L history, which grows
 * by a snapshot per bar while a bot runs in the server.
 */
function equityPeakAndLast(store: StateStore, botId: string, sinceTs = -Number.MAX_VALUE): { ts: number; equity: number }[] {
  const last = prep(store.db, 'SELECT id, ts, equity FROM pnl_snapshots WHERE bot_id = ? AND ts >= ? ORDER BY ts DESC, id DESC LIMIT 1').get(botId, sinceTs) as { id: number; ts: number; equity: number } | undefined;
  if (!last) return [];
  const peak = prep(store.db, 'SELECT id, ts, equity FROM pnl_snapshots WHERE bot_id = ? AND ts >= ? ORDER BY equity DESC, ts, id LIMIT 1').get(botId, sinceTs) as { id: number; ts: number; equity: number };
  return peak.id === last.id || peak.equity <= last.equity ? [{ ts: last.ts, equity: last.equity }] : [{ ts: peak.ts, equity: peak.equity }, { ts: last.ts, equity: last.equity }];
}

export interface RiskStateInput {
  /** The runner's clock, epoch ms. */
  readonly now: number;
  /** Recent prices per symbol, oldest first (the runner's ring of last prices). */
  readonly recentPrices?: Readonly<Record<string, readonly number[]>>;
  /** Times of recent exchange API errors, ascending. */
  readonly apiErrorTs?: readonly number[];
  /** Closed trades fed to Kelly sizing (default 100). */
  readonly tradeLookback?: number;
  /** Equity snapshots from this time on (default: all). */
  readonly equitySinceTs?: number;
}

export function buildRiskState(store: StateStore, botId: string, input: RiskStateInput): RiskState {
  const bot = store.bots.require(botId);
  const { now } = input;
  const snaps = equityPeakAndLast(store, botId, input.equitySinceTs);
  const day = utcDayStart(now), week = isoWeekStart(now);
  const recent = store.orders.recentClosedLotPnl(botId, input.tradeLookback ?? 100);
  const losses = store.orders.lossStreak(botId);
  return {
    now,
    wallet: store.orders.walletState(botId, bot.budget),
    equityHistory: snaps.length ? snaps.map((s) => ({ ts: s.ts, equity: s.equity })) : [{ ts: now, equity: bot.budget }],
    realisedByDay: { [utcDayKey(now)]: store.orders.realisedNetBetween(botId, day, day + DAY_MS) },
    realisedByWeek: { [isoWeekKey(now)]: store.orders.realisedNetBetween(botId, week, week + 7 * DAY_MS) },
    recentTradePnl: recent,
    consecutiveLosses: losses,
    openOrders: store.orders.openOrderCounts({ exchange: bot.exchange }),
    recentPrices: input.recentPrices ?? {},
    apiErrorTs: input.apiErrorTs ?? [],
    openLots: store.orders.openLotsFor(botId).map((l) => ({ id: l.id, symbol: l.symbol, entryPrice: l.entryPrice, remaining: l.remaining })),
  };
}
