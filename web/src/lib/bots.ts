/**
 * Bots as the pages see them: the API's shapes (GET /api/bots, /api/bots/:id, /api/orders, /api/fills, /api/lots,
 * /api/stats, /api/status) and the logic the dashboard, the bot list and the bot page share: live updates from the
 * websocket applied to a list, total P&L, which controls a status allows (and why not), unrealised P&L at a mark,
 * and the grid view's numbers from a bot's recorded state.
 */
import type { LiveEvent } from './live.svelte.ts';

export type BotStatus = 'created' | 'running' | 'paused' | 'stopped' | 'hold' | 'emergency-stopped';
export type BotMode = 'replay' | 'paper' | 'live';

export interface PnlSnapshot { ts: number; equity: number; realised: number; unrealised: number; fees: number; openOrders: number }

export interface Bot {
  id: string; name: string; strategy: string; params: Record<string, unknown>; symbols: string[]; exchange: string; mode: BotMode;
  status: BotStatus; budget: number; risk: Record<string, unknown>; runUntil: number | null; createdAt: number; updatedAt: number;
  pnl: PnlSnapshot | null;
}

export interface Position { symbol: string; base: number; openCost: number; realised: number; fees: number; markPrice: number | null; unrealised: number | null }

export interface BotDetail extends Bot {
  settings: Record<string, unknown> | null;
  /** bot_state by symbol ('' = bot-wide): e.g. state['BTC/USDT']['series.anchorHigh'], state['BTC/USDT'].mark. */
  state: Record<string, Record<string, unknown>>;
  positions: Position[];
  openOrders: number;
}

export type OrderStatus = 'pending' | 'open' | 'filled' | 'cancelled' | 'rejected' | 'unknown';
export interface Order {
  id: number; botId: string; clientId: string; exchangeId: string | null; symbol: string; side: 'buy' | 'sell'; type: string;
  price: number | null; amount: number; filled: number; avgPrice: number | null; fees: number; tag: string; lotId: number | null;
  status: OrderStatus; reason: string | null; createdAt: number; updatedAt: number;
}
export interface Fill { id: number; botId: string; orderId: number; clientId: string; tradeId: string; symbol: string; side: 'buy' | 'sell'; price: number; amount: number; fee: number; liquidity: string | null; ts: number }
export interface Lot {
  id: number; botId: string; symbol: string; status: 'open' | 'closed'; openTs: number; closeTs: number | null; entryPrice: number; size: number;
  remaining: number; buyFee: number; closedSize: number; exitValue: number; sellFees: number; realised: number;
  unrealised: number | null; markPrice: number | null; buyTag: string; sellTag: string;
}
export interface Page<T> { total: number; items: T[] }
export interface Stats { bots: number; openOrders: number; openLots: number; realised: number; fees: number; netRealised: number; volume24h: number; fills24h: number; equity: number | null }
export interface ServerStatus {
  status: 'RUNNING' | 'PAUSED' | 'HOLD' | 'EMERGENCY_STOP'; uptimeSec: number; startedAt: number; now: number; liveTradingEnabled: boolean;
  bots: { total: number; byStatus: Record<string, number> }; openOrders: number;
}
export interface SeriesPoint { ts: number; equity: number; realised: number; unrealised: number; fees: number }
export interface LogLine { ts: number | null; event: string; text: string }

export const RESTING: readonly OrderStatus[] = ['pending', 'open', 'unknown'];
export const isResting = (o: { status: string }): boolean => (RESTING as readonly string[]).includes(o.status);

/** P&L of a bot from its last snapshot: equity − budget (realised + unrealised − fees); null before its first bar. */
export function botPnl(b: Pick<Bot, 'budget' | 'pnl'>): number | null {
  return b.pnl ? b.pnl.equity - b.budget : null;
}

/** Total P&L over bots with a snapshot, and how many have one. */
export function totalPnl(bots: readonly Pick<Bot, 'budget' | 'pnl'>[]): { pnl: number; equity: number; budget: number; counted: number } {
  let pnl = 0, equity = 0, budget = 0, counted = 0;
  for (const b of bots) {
    if (!b.pnl) continue;
    pnl += b.pnl.equity - b.budget;
    equity += b.pnl.equity;
    budget += b.budget;
    counted++;
  }
  return { pnl, equity, budget, counted };
}

/**
 * A websocket event applied to a list of bots: `bot.state` sets the status, `pnl.update` the last snapshot. Returns
 * the new list (the same one when nothing changed), and whether the event names a bot the list does not have (the
 * page then refetches: a bot was created elsewhere).
 */
export function applyBotEvent<B extends Pick<Bot, 'id' | 'status' | 'pnl'>>(bots: readonly B[], e: LiveEvent): { bots: B[]; unknown: boolean } {
  const list = bots as B[];
  if (!e.botId || (e.topic !== 'bot.state' && e.topic !== 'pnl.update')) return { bots: list, unknown: false };
  const i = bots.findIndex((b) => b.id === e.botId);
  if (i < 0) return { bots: list, unknown: true };
  const d = e.data as Record<string, unknown>;
  let next: B;
  if (e.topic === 'bot.state') {
    const status = (d.status ?? d.to) as BotStatus | undefined;
    if (!status || status === bots[i].status) return { bots: list, unknown: false };
    next = { ...bots[i], status };
  } else {
    if (typeof d.equity !== 'number') return { bots: list, unknown: false };
    if (bots[i].pnl && bots[i].pnl!.ts > e.ts) return { bots: list, unknown: false }; // an older snapshot than the one shown
    next = { ...bots[i], pnl: { ts: e.ts, equity: d.equity, realised: Number(d.realised ?? 0), unrealised: Number(d.unrealised ?? 0), fees: Number(d.fees ?? 0), openOrders: Number(d.openOrders ?? 0) } };
  }
  const out = bots.slice();
  out[i] = next;
  return { bots: out, unknown: false };
}

export type Control = 'start' | 'pause' | 'stop' | 'kill';

/**
 * Which controls a status allows, with the reason for each one it does not (the server's lifecycle decides: these
 * only avoid offering what it would refuse).
 */
export function controlReasons(status: BotStatus): Record<Control, string | undefined> {
  const active = status === 'running' || status === 'hold';
  return {
    start: active ? `the bot is already ${status}` : undefined,
    pause: status === 'running' || status === 'hold' ? undefined : `only a running bot can be paused; it is ${status}`,
    stop: status === 'stopped' || status === 'created' ? `the bot is ${status === 'created' ? 'not started yet' : 'already stopped'}` : undefined,
    kill: status === 'created' ? 'the bot never ran: it has no orders to cancel' : undefined,
  };
}

/** Config (params, budget, risk, settings) can change only while created, paused or stopped (server: BOT_RUNNING). */
export function editReason(status: BotStatus): string | undefined {
  return status === 'created' || status === 'paused' || status === 'stopped' ? undefined : `the configuration can change only while the bot is paused or stopped; it is ${status}`;
}

/** Unrealised P&L of an open lot at a mark: (mark − entry) × remaining; null without a mark. */
export function lotUnrealised(l: Pick<Lot, 'entryPrice' | 'remaining'>, mark: number | null | undefined): number | null {
  return mark === null || mark === undefined || !Number.isFinite(mark) ? null : (mark - l.entryPrice) * l.remaining;
}

/** The last mark of each market from a bot's state (`<symbol>/mark` = {price, ts}). */
export function marksOf(state: BotDetail['state']): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [sym, kv] of Object.entries(state)) {
    const m = kv.mark as { price?: unknown } | undefined;
    if (sym && m && typeof m.price === 'number') out[sym] = m.price;
  }
  return out;
}

/** A strategy ref's id ('grid@1.0.0' → 'grid'). */
export const strategyId = (ref: string): string => ref.split('@')[0];

/** Grid strategies: the ones whose state records AnchorHigh / GridTop (grid) or a range (range-grid). */
export const isGridStrategy = (ref: string): boolean => strategyId(ref) === 'grid' || strategyId(ref) === 'range-grid';

export interface GridFigures {
  symbol: string;
  mark: number | null;
  anchorHigh: number | null;
  gridTop: number | null;
  /** range-grid: its bounds. */
  lower: number | null;
  upper: number | null;
  hold: boolean;
  /** Open lots at cost. */
  capitalInUse: number;
  /** Resting buy orders' notional. */
  openBuys: number;
  /** maxCapitalPct % of account value (the grid's cap); null when the strategy has none. */
  cap: number | null;
  /** Account value: the last equity snapshot, else the budget. */
  equity: number;
}

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/**
 * The grid view's figures of one market: AnchorHigh, GridTop and HOLD as the runner recorded them (bot_state
 * `series.<name>` per symbol, engine/strategies-orders/grid.ts), capital in use (open lots at cost) and resting buys
 * against the cap (maxCapitalPct of account value).
 */
export function gridFigures(bot: Pick<BotDetail, 'state' | 'params' | 'budget' | 'pnl' | 'status' | 'symbols'>, lots: readonly Pick<Lot, 'status' | 'symbol' | 'entryPrice' | 'remaining'>[], orders: readonly Pick<Order, 'status' | 'symbol' | 'side' | 'price' | 'amount' | 'filled'>[], symbol = bot.symbols[0]): GridFigures {
  const s = bot.state[symbol] ?? {};
  let capitalInUse = 0, openBuys = 0;
  for (const l of lots) if (l.status === 'open' && l.symbol === symbol) capitalInUse += l.entryPrice * l.remaining;
  for (const o of orders) if (isResting(o) && o.symbol === symbol && o.side === 'buy' && o.price !== null) openBuys += o.price * (o.amount - o.filled);
  const equity = bot.pnl?.equity ?? bot.budget;
  const pct = num(bot.params.maxCapitalPct);
  const hold = s['series.hold'] === 1 || bot.status === 'hold';
  return {
    symbol, mark: num((s.mark as { price?: unknown } | undefined)?.price), anchorHigh: num(s['series.anchorHigh']), gridTop: num(s['series.gridTop']),
    lower: num(s['series.lower']), upper: num(s['series.upper']), hold, capitalInUse, openBuys, cap: pct === null ? null : (pct / 100) * equity, equity,
  };
}

/** Keeps the newest `max` items of a list that grows at the end (log lines, live prices). */
export function capped<T>(list: readonly T[], add: readonly T[], max: number): T[] {
  const out = list.concat(add);
  return out.length > max ? out.slice(out.length - max) : out;
}
