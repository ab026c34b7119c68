/** Reports (P&L by bot / pair / strategy / period, tax export CSV or JSON), P&L series and quick stats. */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { pnlReport, pnlSeries, taxCsv, taxReport } from '../reports.ts';
import { Id, responses, Symbol as SymbolS } from '../schemas.ts';
import type { ServerContext } from '../context.ts';
import { prep } from '../../state/db.ts';

const NNum = Type.Union([Type.Number(), Type.Null()]);
const Group = Type.Object({
  key: Type.String(), trades: Type.Integer(), wins: Type.Integer(), losses: Type.Integer(), winRatePct: NNum, grossRealised: Type.Number(),
  fees: Type.Number(), netRealised: Type.Number(), avgWin: NNum, avgLoss: NNum, volume: Type.Number(),
});
const Range = {
  botId: Type.Optional(Id), symbol: Type.Optional(SymbolS),
  from: Type.Optional(Type.Integer({ minimum: 0, description: 'epoch ms, inclusive' })), to: Type.Optional(Type.Integer({ minimum: 0, description: 'epoch ms, exclusive' })),
};
const PnlQuery = Type.Object({
  ...Range,
  groupBy: Type.Optional(Type.Union([Type.Literal('bot'), Type.Literal('pair'), Type.Literal('strategy'), Type.Literal('period')])),
  period: Type.Optional(Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')])),
}, { additionalProperties: false });
const TaxQuery = Type.Object({
  ...Range,
  year: Type.Optional(Type.Integer({ minimum: 1970, maximum: 3000, description: 'UTC calendar year of the sales (instead of from/to)' })),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
}, { additionalProperties: false });
const TaxRowS = Type.Object({
  token: Type.String(), symbol: Type.String(), amount: Type.Number(), dateAcquired: Type.String(), dateSold: Type.String(),
  costBasis: Type.Number(), proceeds: Type.Number(), fees: Type.Number(), gain: Type.Number(),
});
const TaxJson = Type.Object({
  method: Type.Literal('FIFO'), note: Type.String(), rows: Type.Array(TaxRowS), uncovered: Type.Number(),
  totals: Type.Object({ costBasis: Type.Number(), proceeds: Type.Number(), fees: Type.Number(), gain: Type.Number() }),
});
const SeriesQuery = Type.Object({ botId: Type.Optional(Id), from: Range.from, to: Range.to, bucket: Type.Optional(Type.Union(['raw', '1m', '1h', '1d'].map((b) => Type.Literal(b)))) }, { additionalProperties: false });
const Point = Type.Object({ ts: Type.Number(), equity: Type.Number(), realised: Type.Number(), unrealised: Type.Number(), fees: Type.Number() });
const StatsQuery = Type.Object({ botId: Type.Optional(Id) }, { additionalProperties: false });
const Stats = Type.Object({
  bots: Type.Integer(), openOrders: Type.Integer(), openLots: Type.Integer(), realised: Type.Number(), fees: Type.Number(),
  netRealised: Type.Number(), volume24h: Type.Number(), fills24h: Type.Integer(), equity: NNum,
});
const BUCKET_MS: Record<string, number> = { raw: 0, '1m': 60_000, '1h': 3_600_000, '1d': 86_400_000 };

export function reportRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const db = ctx.deps.store.db;

  app.get<{ Querystring: Static<typeof PnlQuery> }>('/api/reports/pnl', {
    config: { access: 'viewer' },
    schema: { tags: ['reports'], summary: 'Realised P&L by bot, pair, strategy or period: win rate, average win/loss, fees', querystring: PnlQuery, response: responses(Type.Object({ groupBy: Type.String(), period: Type.String(), groups: Type.Array(Group), total: Group, feesPaid: Type.Number() })) },
  }, async (req) => {
    const { groupBy = 'bot', period = 'day', ...f } = req.query;
    return { groupBy, period, ...pnlReport(db, groupBy, period, f) };
  });

  app.get<{ Querystring: Static<typeof TaxQuery> }>('/api/reports/tax', {
    config: { access: 'viewer' },
    schema: { tags: ['reports'], summary: 'Realised gains by FIFO lots (CSV with format=csv)', querystring: TaxQuery, response: responses(Type.Union([TaxJson, Type.String()])) },
  }, async (req, reply) => {
    const { year, format = 'json', ...f } = req.query;
    if (year !== undefined) { f.from = Date.UTC(year, 0, 1); f.to = Date.UTC(year + 1, 0, 1); }
    const r = taxReport(db, f);
    if (format === 'csv') {
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="tradelab-tax${year ? `-${year}` : ''}.csv"`);
      return reply.send(taxCsv(r.rows));
    }
    return { method: 'FIFO' as const, note: 'costBasis includes the buy fee share and proceeds are net of the sell fee share; fees lists them; gain = proceeds - costBasis', ...r };
  });

  app.get<{ Querystring: Static<typeof SeriesQuery> }>('/api/pnl/series', {
    config: { access: 'viewer' },
    schema: { tags: ['reports'], summary: 'Equity series for charts: one bot, or every bot summed', querystring: SeriesQuery, response: responses(Type.Object({ botId: Type.Union([Type.String(), Type.Null()]), bucket: Type.String(), points: Type.Array(Point) })) },
  }, async (req) => {
    const { bucket = '1h', ...f } = req.query;
    return { botId: f.botId ?? null, bucket, points: pnlSeries(db, f, BUCKET_MS[bucket]) };
  });

  app.get<{ Querystring: Static<typeof StatsQuery> }>('/api/stats', {
    config: { access: 'viewer' },
    schema: { tags: ['reports'], summary: 'Quick stats (global or one bot): open orders, open lots, realised P&L, fees, 24h volume', querystring: StatsQuery, response: responses(Stats) },
  }, async (req) => {
    const b = req.query.botId;
    const one = <T>(sql: string, ...args: unknown[]) => prep(db, sql).get(...args) as T;
    const wb = b === undefined ? '' : 'AND bot_id = ?';
    const args = b === undefined ? [] : [b];
    const since = ctx.now() - 86_400_000;
    const pos = one<{ r: number; f: number }>(`SELECT COALESCE(SUM(realised), 0) AS r, COALESCE(SUM(fees), 0) AS f FROM positions WHERE 1 = 1 ${wb}`, ...args);
    const vol = one<{ v: number; n: number }>(`SELECT COALESCE(SUM(price * amount), 0) AS v, COUNT(*) AS n FROM fills WHERE ts >= ? ${wb}`, since, ...args);
    // Each bot's latest snapshot through the (bot_id, ts) index: the runtime writes one per bar, so never scan them all.
    const eq = one<{ e: number | null }>(`SELECT SUM(p.equity) AS e FROM bots b JOIN pnl_snapshots p ON p.id = (SELECT s.id FROM pnl_snapshots s WHERE s.bot_id = b.id ORDER BY s.ts DESC, s.id DESC LIMIT 1) ${b === undefined ? '' : 'WHERE b.id = ?'}`, ...args);
    return {
      bots: one<{ n: number }>(`SELECT COUNT(*) AS n FROM bots WHERE 1 = 1 ${b === undefined ? '' : 'AND id = ?'}`, ...args).n,
      openOrders: one<{ n: number }>(`SELECT COUNT(*) AS n FROM orders WHERE status IN ('pending','open','unknown') ${wb}`, ...args).n,
      openLots: one<{ n: number }>(`SELECT COUNT(*) AS n FROM lots WHERE status = 'open' ${wb}`, ...args).n,
      realised: pos.r, fees: pos.f, netRealised: pos.r - pos.f, volume24h: vol.v, fills24h: vol.n, equity: eq.e,
    };
  });
}
