/**
 * The market universe: every market of an enabled exchange's `markets` list (config) and every market a bot
 * trades, with per-market enable/disable (a config override `market.<exchange>:<symbol>`, audited) and stats from
 * the state store (bots, open orders, fills, volume, fees, realised P&L).
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { TradelabError } from '../../../engine/errors.ts';
import { httpError } from '../errors.ts';
import { responses, Symbol as SymbolS } from '../schemas.ts';
import type { ServerContext } from '../context.ts';
import { prep } from '../../state/db.ts';
import type { StateStore } from '../../state/store.ts';

const Market = Type.Object({
  exchange: Type.String(), symbol: Type.String(), enabled: Type.Boolean(), inUniverse: Type.Boolean(),
  bots: Type.Integer(), openOrders: Type.Integer(), fills: Type.Integer(), volume: Type.Number(), fees: Type.Number(), realised: Type.Number(),
});
const Query = Type.Object({ exchange: Type.Optional(Type.String({ maxLength: 40 })), enabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
const Toggle = Type.Object({ exchange: Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-z0-9]+$' }), symbol: SymbolS, enabled: Type.Boolean() }, { additionalProperties: false });

const ExchangeParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-z0-9]+$' }) });
const PairsQuery = Type.Object({ quote: Type.Optional(Type.String({ minLength: 1, maxLength: 20, pattern: '^[A-Za-z0-9]+$' })), active: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
const Pair = Type.Object({ symbol: Type.String(), base: Type.String(), quote: Type.String(), active: Type.Boolean(), type: Type.String() });

export const marketKey = (exchange: string, symbol: string) => `market.${exchange}:${symbol}`;

/** Whether a market is enabled (no override = enabled). */
export function marketEnabled(store: Pick<StateStore, 'journal'>, exchange: string, symbol: string): boolean {
  const o = store.journal.getOverride('', marketKey(exchange, symbol));
  return o ? (o.value as { enabled?: boolean }).enabled !== false : true;
}

/**
 * A bot may start trading only on enabled markets: creating, copying, starting or resuming (webhook) a bot with a
 * disabled market is a 409 MARKET_DISABLED that says how to enable it. A running bot is not stopped by a toggle.
 */
export function assertMarketsEnabled(store: Pick<StateStore, 'journal'>, exchange: string, symbols: readonly string[], what: string): void {
  const off = symbols.filter((s) => !marketEnabled(store, exchange, s));
  if (off.length > 0) {
    throw httpError('MARKET_DISABLED', `${what}: market ${off.join(', ')} on ${exchange} is disabled; enable it first (PUT /api/markets/enabled {"exchange":"${exchange}","symbol":"${off[0]}","enabled":true}, operator)`, { exchange, symbols: off });
  }
}

export function marketRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store } = ctx.deps;

  function universe(): Static<typeof Market>[] {
    const cfg = ctx.deps.config.config;
    const seen = new Map<string, Static<typeof Market>>();
    const add = (exchange: string, symbol: string, inUniverse: boolean) => {
      const k = `${exchange}\u0000${symbol}`;
      const m = seen.get(k);
      if (m) { if (inUniverse) m.inUniverse = true; return m; }
      const enabled = marketEnabled(store, exchange, symbol);
      const row = { exchange, symbol, enabled, inUniverse, bots: 0, openOrders: 0, fills: 0, volume: 0, fees: 0, realised: 0 };
      seen.set(k, row);
      return row;
    };
    for (const [ex, e] of Object.entries(cfg.exchanges)) if (e.enabled) for (const s of e.markets) add(ex, s, true);
    const bots = prep(store.db, 'SELECT id, exchange, symbols FROM bots').all() as { id: string; exchange: string; symbols: string }[];
    const exOf = new Map<string, string>();
    for (const b of bots) {
      exOf.set(b.id, b.exchange);
      for (const s of JSON.parse(b.symbols) as string[]) add(b.exchange, s, false).bots++;
    }
    const stat = (sql: string, f: (m: Static<typeof Market>, r: Record<string, number>) => void) => {
      for (const r of prep(store.db, sql).all() as (Record<string, number> & { bot_id: string; symbol: string })[]) {
        const ex = exOf.get(r.bot_id);
        if (ex !== undefined) f(add(ex, r.symbol, false), r);
      }
    };
    stat("SELECT bot_id, symbol, COUNT(*) AS n FROM orders WHERE status IN ('pending','open','unknown') GROUP BY bot_id, symbol", (m, r) => { m.openOrders += r.n; });
    stat('SELECT bot_id, symbol, COUNT(*) AS n, SUM(price * amount) AS v, SUM(fee) AS f FROM fills GROUP BY bot_id, symbol', (m, r) => { m.fills += r.n; m.volume += r.v; m.fees += r.f; });
    stat('SELECT bot_id, symbol, SUM(realised) AS r FROM positions GROUP BY bot_id, symbol', (m, r) => { m.realised += r.r; });
    return [...seen.values()].sort((a, b) => a.exchange.localeCompare(b.exchange) || a.symbol.localeCompare(b.symbol));
  }

  app.get<{ Querystring: Static<typeof Query> }>('/api/markets', {
    config: { access: 'viewer' },
    schema: { tags: ['markets'], summary: 'The market universe with enable flags and stats', querystring: Query, response: responses(Type.Array(Market)) },
  }, async (req) => universe().filter((m) => (req.query.exchange === undefined || m.exchange === req.query.exchange) && (req.query.enabled === undefined || m.enabled === req.query.enabled)));

  app.get<{ Params: Static<typeof ExchangeParams>; Querystring: Static<typeof PairsQuery> }>('/api/exchanges/:id/pairs', {
    config: { access: 'viewer' },
    schema: { tags: ['markets'], summary: 'Pairs an exchange lists (spot by default filters nothing; quote= and active= filter)', params: ExchangeParams, querystring: PairsQuery, response: responses(Type.Array(Pair)) },
  }, async (req) => {
    const { id } = req.params;
    if (!ctx.deps.config.config.exchanges[id]) {
      throw httpError('EXCHANGE_NOT_FOUND', `exchange '${id}' is not configured; configured: ${Object.keys(ctx.deps.config.config.exchanges).join(', ')}`);
    }
    if (!ctx.deps.exchangeMarkets) throw new TradelabError('EXCHANGE_MARKETS_UNAVAILABLE', 'venue-unavailable', 'this server has no exchange market source');
    const list = await ctx.deps.exchangeMarkets(id);
    const q = req.query.quote?.toUpperCase();
    return list.filter((m) => (q === undefined || m.quote.toUpperCase() === q) && (req.query.active === undefined || m.active === req.query.active))
      .map((m) => ({ symbol: m.symbol, base: m.base, quote: m.quote, active: m.active, type: m.type }));
  });

  app.put<{ Body: Static<typeof Toggle> }>('/api/markets/enabled', {
    config: { access: 'operator' },
    schema: { tags: ['markets'], summary: 'Enable or disable a market (audited)', body: Toggle, response: responses(Market) },
  }, async (req) => {
    const { exchange, symbol, enabled } = req.body;
    const found = universe().find((m) => m.exchange === exchange && m.symbol === symbol);
    if (!found) throw httpError('MARKET_NOT_FOUND', `market ${symbol} on ${exchange} is not in the universe (config exchanges.${exchange}.markets or a bot's symbols)`);
    store.journal.setOverride({ botId: '', key: marketKey(exchange, symbol), value: { enabled }, setBy: req.user!.name, setAt: ctx.now() });
    return { ...found, enabled };
  });
}
