/**
 * The venue factory of paper and live bots, plugged into BotHost.deps.venues by the entry point:
 *
 *   paper → createPaperAdapter(createCcxtAdapter({ exchangeId, liveTradingEnabled: false })): real market data from
 *           the exchange (public endpoints, no keys), fills simulated by the engine's fill model on the market's
 *           spec with the bot's fee rate and slippage, the bot's virtual wallet as balances; nothing ever reaches an
 *           order endpoint (the wrapped adapter would refuse anyway: liveTradingEnabled false).
 *   live  → the ccxt adapter with credentials from live/secrets (`loadExchangeCredentials`: environment or
 *           TRADELAB_SECRETS_DIR) and `liveTradingEnabled` exactly as the entry point read LIVE_TRADING_ENABLED;
 *           a live bot also refuses to start when it is not true (BotService refuses to create one already).
 *   replay → unchanged (the host's default).
 * Both run on the execution core's order manager (risk checks, client ids, unknown outcomes, reconciliation) and
 * a growing candle feed (feed.ts) over the same port; the host runs them with runFeedBot (feed-runner.ts).
 *
 * The paper wallet after a restart: quote = budget + realised − fees − open cost, base = the open lots, both from
 * the store (the simulated venue lived in the previous process). Its resting orders did too: they are entered again
 * for what remains of them (reenterOpenOrders) — see docs/architecture.md, "Paper and live bots", restarts.
 */
import type { Exchange } from 'ccxt';
import { TradelabError, usageError } from '../../engine/errors.ts';
import { timeframeMs } from '../../engine/timeframe.ts';
import { createCcxtAdapter, realAdapterDeps, type CcxtAdapter, type CcxtAdapterDeps } from '../exchange/ccxt-adapter.ts';
import { createPaperAdapter, type PaperExchange } from '../exchange/paper-adapter.ts';
import type { SimOrderRequest } from '../exchange/sim-venue.ts';
import type { Candle, ExchangePort, Market } from '../exchange/port.ts';
import { createOrderManager, type OrderManager } from '../execution/order-manager.ts';
import type { PlaceOutcome, PlaceRequest } from './order-path.ts';
import type { RiskConfig } from '../../engine/risk/index.ts';
import { loadExchangeCredentials, type CredentialsDeps } from '../secrets/credentials.ts';
import type { BotRow } from '../state/types.ts';
import type { RunnerSettings } from '../bots/service.ts';
import type { StateStore } from '../state/store.ts';
import { ExecOrderPath } from './exec-path.ts';
import { CandleFeed, windowBarsFor, type CandleFeedOptions } from './feed.ts';
import { rotationWarmupBars } from './risk-supervisor.ts';
import type { FeedVenue } from './feed-runner.ts';
import type { BotHost, BotVenue, VenueFactory } from './host.ts';

export interface LiveVenuesConfig {
  /** LIVE_TRADING_ENABLED as the entry point read it (exactly 'true' → true). */
  readonly liveTradingEnabled: boolean;
  /** The environment the credentials come from (the entry point passes process.env). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly credentialsDeps?: CredentialsDeps;
  /** Tests: the ccxt exchange instance of an exchange id (offline, recorded replies). Default: a real one. */
  readonly exchange?: (exchangeId: string) => Exchange;
  /** Clock, sleep, jitter and log of the adapters, the order manager and the feed (default: real). */
  readonly deps?: Partial<CcxtAdapterDeps>;
  /** REST polling of candles when the venue has no websocket (default: the adapter's, 5 s). */
  readonly pollIntervalMs?: number;
  readonly streams?: 'auto' | 'poll';
  readonly feed?: Partial<Pick<CandleFeedOptions, 'gapRetries' | 'gapRetryDelayMs' | 'settleMs' | 'pageLimit'>>;
  /** Paper: how late after a bar opened an order still enters that bar (default min(tf / 2, 60 s)); see paper-adapter.ts. */
  readonly paperGraceMs?: number;
}

/** The factories for BotHost.deps.venues: { paper, live }. */
export function liveVenues(cfg: LiveVenuesConfig): { paper: VenueFactory; live: VenueFactory } {
  const deps: CcxtAdapterDeps = { ...realAdapterDeps, ...cfg.deps };
  return {
    paper: (bot, s, host) => paperVenue(cfg, deps, bot, s, host),
    live: (bot, s, host) => liveVenue(cfg, deps, bot, s, host),
  };
}

function ccxtPort(cfg: LiveVenuesConfig, deps: CcxtAdapterDeps, bot: BotRow, live: boolean, credentials: Parameters<typeof createCcxtAdapter>[0]['credentials']): CcxtAdapter {
  return createCcxtAdapter({
    exchangeId: bot.exchange, liveTradingEnabled: live, credentials, pollIntervalMs: cfg.pollIntervalMs, streams: cfg.streams,
  }, { ...deps, exchange: cfg.exchange?.(bot.exchange) });
}

/** Most bars a restarted paper bot plays to catch up on the time it was down (older ones are skipped, logged). */
export const PAPER_CATCH_UP_BARS = 2000;

/**
 * The candle feed of one market. Paper, after a restart: the window also reaches back to the bar after the last
 * decided one (up to PAPER_CATCH_UP_BARS), so the bars that closed while the bot was down are played into the new
 * venue (its resting orders fill there, as the old venue's would have) — feed-runner plays them, undecided.
 */
function feedOf(cfg: LiveVenuesConfig, deps: CcxtAdapterDeps, host: BotHost, bot: BotRow, s: RunnerSettings, port: ExchangePort, symbol: string, catchUp = false): CandleFeed {
  const strategy = host.service.strategyOf(bot);
  // (a strategy the bot may rotate to needs its own warm-up in the window too)
  const warm = Math.max(strategy.warmup(strategy.resolveParams(bot.params)), rotationWarmupBars(bot, (ref) => host.service.strategyOf({ ...bot, strategy: ref })));
  let windowBars = windowBarsFor(warm);
  const cursor = catchUp ? host.store.bots.getState<number>(bot.id, bot.symbols.length > 1 ? symbol : '', 'cursor') : undefined;
  if (cursor !== undefined) {
    const down = Math.ceil((deps.now() - cursor) / timeframeMs(s.timeframe)) + 1;
    windowBars = Math.max(windowBars, Math.min(down, PAPER_CATCH_UP_BARS));
    if (down > PAPER_CATCH_UP_BARS) {
      host.store.journal.raiseAlert({ botId: bot.id, ts: deps.now(), level: 'warning', code: 'PAPER_CATCH_UP_CUT', message: `${symbol}: down for ${down} bars; only the last ${PAPER_CATCH_UP_BARS} are played into the paper venue` });
    }
  }
  return new CandleFeed({
    port, symbol, timeframe: s.timeframe, windowBars, now: deps.now, sleep: deps.sleep,
    pollIntervalMs: cfg.pollIntervalMs, ...cfg.feed,
  });
}

/** bot_state key (per market) of the quote cost of a paper market buy, by its tag: a restart re-enters it as it was. */
const costKey = (tag: string): string => `paper.cost.${tag}`;

/**
 * The paper bot's order path: in-bar on its simulated venue (fills reach `onFill` inside the bar, as in the backtest),
 * and it remembers the cost of each market buy by cost (see reenterOpenOrders).
 */
class PaperOrderPath extends ExecOrderPath {
  constructor(om: OrderManager, paper: PaperExchange, private readonly store: StateStore, private readonly botId: string, private readonly now: () => number) {
    super(om, paper.venue);
  }
  override async place(req: PlaceRequest): Promise<PlaceOutcome> {
    if (req.cost !== undefined) this.store.bots.setState(this.botId, req.symbol, costKey(req.tag), req.cost, this.now());
    return super.place(req);
  }
}

/**
 * A restarted paper bot: its simulated venue died with the previous process, and with it the orders that were open
 * there (decided at a close, waiting for the next bar, or resting limits, partly filled or not). They are entered
 * again into the new venue under their own client ids for what remains of them (amount − filled; a market buy by its
 * remembered cost), so reconciliation finds them open and the next bars fill them as the old venue would have. The
 * store keeps the fills the old venue made; the new venue's fills (new trade ids) add up to the order's amount. The
 * bars the old venue matched are never matched again (feed-runner seeds them: seedCandle).
 */
async function reenterOpenOrders(store: StateStore, bot: BotRow, paper: PaperExchange, symbol: string, at: (ts: number | undefined) => void): Promise<number> {
  let n = 0;
  for (const o of store.orders.unsettledOrders(bot.id)) {
    if (o.symbol !== symbol || o.status !== 'open') continue;
    const rest = o.amount - o.filled;
    // a market order never rests partly filled (the venue cancels what it cannot fill at once)
    if (!(rest > o.amount * 1e-9) || (o.type === 'market' && o.filled > 0)) continue;
    // the venue stamps it with its original time: it enters the bar it entered in the old venue
    at(o.createdAt);
    const cost = o.type === 'market' && o.side === 'buy' ? store.bots.getState<number>(bot.id, symbol, costKey(o.tag)) : undefined;
    try {
      if (cost !== undefined) await paper.createMarketBuyOrderWithCost(symbol, cost, o.clientId);
      else if (o.filled > 0) {
        // partly filled: the whole order, marked with what it filled, rests for exactly what remains
        await paper.createOrder({ symbol, type: 'limit', side: o.side, amount: o.amount, price: o.price ?? undefined, clientOrderId: o.clientId, restore: { filled: o.filled, average: o.avgPrice ?? (o.price as number) } } as SimOrderRequest);
      } else await paper.createOrder({ symbol, type: o.type === 'limit' ? 'limit' : 'market', side: o.side, amount: o.amount, price: o.price ?? undefined, clientOrderId: o.clientId });
    } catch {
      at(undefined);
      continue; // refused by the new venue (e.g. funds): reconciliation marks it cancelled, not on venue
    }
    at(undefined);
    n++;
  }
  return n;
}

function omOf(store: StateStore, bot: BotRow, host: BotHost, port: ExchangePort, deps: CcxtAdapterDeps, fillOverlapMs?: number, now: () => number = deps.now): OrderManager {
  const strategy = host.service.strategyOf(bot);
  return createOrderManager({
    store, port, botId: bot.id, strategyId: strategy.id, risk: bot.risk as RiskConfig,
    fillOverlapMs,
    deps: { now, sleep: (ms) => deps.sleep(ms), random: deps.random },
  });
}


/** The bot's virtual wallet as the store knows it: quote cash and base held (open lots). */
export function paperWallet(store: StateStore, bot: BotRow, market: Market): Record<string, number> {
  let cash = bot.budget, base = 0;
  for (const p of store.orders.positionsFor(bot.id)) {
    cash += p.realised - p.fees - p.openCost;
    if (p.symbol === market.symbol) base += p.base;
  }
  return base > 0 ? { [market.quote]: cash, [market.base]: base } : { [market.quote]: cash };
}

async function paperVenue(cfg: LiveVenuesConfig, deps: CcxtAdapterDeps, bot: BotRow, s: RunnerSettings, host: BotHost): Promise<BotVenue> {
  const data = ccxtPort(cfg, deps, bot, false, undefined);
  await data.loadMarkets();
  const markets = bot.symbols.map((sym) => data.market(sym)); // an unknown symbol fails here, with a did-you-mean
  const quotes = new Set(markets.map((m) => m.quote));
  if (quotes.size > 1) {
    throw usageError('BOT_QUOTES_DIFFER', `bot '${bot.id}': its symbols are quoted in ${[...quotes].join(' and ')}; one bot's budget is one currency: pick symbols with the same quote, or one bot per quote`);
  }
  // The bot's fee rate as maker and taker (as the backtest and replay charge it); the market's tick, step and minimums.
  const withFees = (m: Market): Market => ({ ...m, spec: { ...m.spec, makerFee: s.feeRate, takerFee: s.feeRate } });
  // A simulated venue numbers its orders from 0: a session mark in its id keeps the order ids of a restarted paper
  // bot apart from those of the previous process (the store keys orders by venue id).
  const wrapped: ExchangePort = { ...data, id: `${data.id}#${Math.floor(deps.now()).toString(36)}`, market: (sym) => withFees(data.market(sym)) };
  const tf = timeframeMs(s.timeframe);
  const graceMs = cfg.paperGraceMs ?? Math.min(tf / 2, 60_000);
  // The venue's and the order manager's time: the wall clock, except while a bar is played (the bar's open: what a
  // fill there and the orders onFill places in reaction carry, as in the backtest) and for re-entered orders (their
  // original time).
  let stamp: number | undefined;
  const now = (): number => stamp ?? deps.now();
  // one virtual wallet for every market of the bot: quote from the store, base per market from its open lots
  const balances: Record<string, number> = {};
  for (const m of markets) Object.assign(balances, paperWallet(host.store, bot, m));
  const paper = createPaperAdapter(wrapped, {
    balances, timeframe: s.timeframe, now, graceMs, backgroundFeed: false,
    fill: { slippageBps: s.slippageBps, intrabarPath: s.intrabarPath, fillOn: s.fillOn, maxVolumeShare: s.maxVolumeShare },
  });
  // paper fills carry the open time of the bar the order entered, up to graceMs before the order was written
  const path = new PaperOrderPath(omOf(host.store, bot, host, paper, deps, Math.max(60_000, graceMs + 1000), now), paper, host.store, bot.id, deps.now);
  for (const sym of bot.symbols) await reenterOpenOrders(host.store, bot, paper, sym, (ts) => { stamp = ts; });
  const update = (c: Candle, symbol: string) => ({ symbol, timeframe: s.timeframe, candle: c, closed: true });
  const feeds = new Map(bot.symbols.map((sym) => [sym, feedOf(cfg, deps, host, bot, s, data, sym, true)]));
  const feed: FeedVenue = {
    port: paper, feed: feeds.get(bot.symbols[0]) as CandleFeed, feeds,
    playCandle: (c, symbol = bot.symbols[0]) => {
      stamp = c[0];
      try { paper.playCandle(update(c, symbol)); } finally { stamp = undefined; }
    },
    seedCandle: (c, symbol = bot.symbols[0]) => { paper.seedCandle(update(c, symbol)); },
    close: () => paper.close(),
  };
  return { venue: paper, clock: { setBar: () => {} }, frame: emptyFrame(bot, s), startIndex: 0, path, placeAt: 'close', feed };
}

async function liveVenue(cfg: LiveVenuesConfig, deps: CcxtAdapterDeps, bot: BotRow, s: RunnerSettings, host: BotHost): Promise<BotVenue> {
  if (cfg.liveTradingEnabled !== true) {
    throw new TradelabError('LIVE_TRADING_DISABLED', 'config', `bot '${bot.id}' is a live bot and LIVE_TRADING_ENABLED is not true in the environment of this tradelab process; set LIVE_TRADING_ENABLED=true to let it trade (it is off by default)`);
  }
  const creds = loadExchangeCredentials(bot.exchange, cfg.env, cfg.credentialsDeps);
  if (!creds.credentials) {
    throw new TradelabError('MISSING_CREDENTIALS', 'config', `live bot '${bot.id}' on ${bot.exchange} needs API keys: set TRADELAB_${bot.exchange.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_API_KEY and _SECRET in the environment, or files of those names in the directory named by TRADELAB_SECRETS_DIR`);
  }
  const port = ccxtPort(cfg, deps, bot, true, creds.credentials);
  await port.loadMarkets();
  for (const sym of bot.symbols) port.market(sym); // an unknown symbol fails here, with a did-you-mean
  const path = new ExecOrderPath(omOf(host.store, bot, host, port, deps));
  const feeds = new Map(bot.symbols.map((sym) => [sym, feedOf(cfg, deps, host, bot, s, port, sym)]));
  const feed: FeedVenue = { port, feed: feeds.get(bot.symbols[0]) as CandleFeed, feeds, close: () => port.close() };
  return { venue: port, clock: { setBar: () => {} }, frame: emptyFrame(bot, s), startIndex: 0, path, placeAt: 'close', feed };
}

function emptyFrame(bot: BotRow, s: RunnerSettings): BotVenue['frame'] {
  const z = new Float64Array(0);
  return { exchange: bot.exchange, symbol: bot.symbols[0], timeframe: s.timeframe, length: 0, ts: z, open: z, high: z, low: z, close: z, volume: z };
}
