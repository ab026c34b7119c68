/**
 * Reports from the state store: realised P&L grouped by bot, pair, strategy or period (win rate, average win and
 * loss, fees), the tax export of realised gains by FIFO lots (engine/lots fifoMatch), and P&L series for charts.
 * Pure functions of the database: the routes in routes/reports.ts format them.
 */
import { fifoMatch, type FifoFill } from '../../engine/lots/fifo.ts';
import { prep, type StateDb } from '../state/db.ts';

export type GroupBy = 'bot' | 'pair' | 'strategy' | 'period';
export type Period = 'day' | 'week' | 'month';

export interface PnlGroup {
  key: string;
  /** Closed lot parts (a sell closing two lots counts twice). */
  trades: number;
  wins: number;
  losses: number;
  winRatePct: number | null;
  /** Gross realised (fees excluded). */
  grossRealised: number;
  /** Fees of the closed parts (sell fee + the closed share of the buy fee). */
  fees: number;
  netRealised: number;
  avgWin: number | null;
  avgLoss: number | null;
  /** Sold notional. */
  volume: number;
}

export interface ReportFilter {
  botId?: string;
  symbol?: string;
  from?: number;
  to?: number;
}

const DAY = 86_400_000;

/** UTC period label: 2024-03-05 (day), 2024-03-04 (the Monday of an ISO week), 2024-03 (month). */
export function periodKey(ts: number, p: Period): string {
  const d = new Date(ts);
  if (p === 'month') return d.toISOString().slice(0, 7);
  if (p === 'week') {
    const dow = (d.getUTCDay() + 6) % 7;
    return new Date(Math.floor(ts / DAY) * DAY - dow * DAY).toISOString().slice(0, 10);
  }
  return d.toISOString().slice(0, 10);
}

function filterSql(f: ReportFilter, cols: { bot: string; symbol: string; ts: string }): { sql: string; args: unknown[] } {
  const parts: string[] = [];
  const args: unknown[] = [];
  if (f.botId !== undefined) { parts.push(`${cols.bot} = ?`); args.push(f.botId); }
  if (f.symbol !== undefined) { parts.push(`${cols.symbol} = ?`); args.push(f.symbol); }
  if (f.from !== undefined) { parts.push(`${cols.ts} >= ?`); args.push(f.from); }
  if (f.to !== undefined) { parts.push(`${cols.ts} < ?`); args.push(f.to); }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', args };
}

/** Realised P&L per group, with the totals over every group. */
export function pnlReport(db: StateDb, groupBy: GroupBy, period: Period, f: ReportFilter): { groups: PnlGroup[]; total: PnlGroup; feesPaid: number } {
  const w = filterSql(f, { bot: 'lc.bot_id', symbol: 'l.symbol', ts: 'lc.ts' });
  const rows = prep(db, `SELECT lc.ts, lc.size, lc.price, lc.realised, lc.sell_fee, lc.buy_fee_share, l.symbol, b.id AS bot, b.strategy
    FROM lot_closes lc JOIN lots l ON l.id = lc.lot_id JOIN bots b ON b.id = lc.bot_id ${w.sql} ORDER BY lc.ts, lc.id`).all(...w.args) as
    { ts: number; size: number; price: number; realised: number; sell_fee: number; buy_fee_share: number; symbol: string; bot: string; strategy: string }[];
  const acc = new Map<string, { trades: number; wins: number; losses: number; gross: number; fees: number; winSum: number; lossSum: number; volume: number }>();
  const total = { trades: 0, wins: 0, losses: 0, gross: 0, fees: 0, winSum: 0, lossSum: 0, volume: 0 };
  for (const r of rows) {
    const key = groupBy === 'bot' ? r.bot : groupBy === 'pair' ? r.symbol : groupBy === 'strategy' ? r.strategy : periodKey(r.ts, period);
    let a = acc.get(key);
    if (!a) acc.set(key, (a = { trades: 0, wins: 0, losses: 0, gross: 0, fees: 0, winSum: 0, lossSum: 0, volume: 0 }));
    const fees = r.sell_fee + r.buy_fee_share;
    const net = r.realised - fees;
    for (const t of [a, total]) {
      t.trades++;
      t.gross += r.realised;
      t.fees += fees;
      t.volume += r.size * r.price;
      if (net > 0) { t.wins++; t.winSum += net; } else if (net < 0) { t.losses++; t.lossSum += net; }
    }
  }
  const out = (key: string, a: typeof total): PnlGroup => ({
    key, trades: a.trades, wins: a.wins, losses: a.losses, winRatePct: a.trades ? (a.wins / a.trades) * 100 : null,
    grossRealised: a.gross, fees: a.fees, netRealised: a.gross - a.fees, avgWin: a.wins ? a.winSum / a.wins : null, avgLoss: a.losses ? a.lossSum / a.losses : null, volume: a.volume,
  });
  const wf = filterSql(f, { bot: 'bot_id', symbol: 'symbol', ts: 'ts' });
  const feesPaid = (prep(db, `SELECT COALESCE(SUM(fee), 0) AS s FROM fills ${wf.sql}`).get(...wf.args) as { s: number }).s;
  return { groups: [...acc.entries()].sort((x, y) => x[0].localeCompare(y[0])).map(([k, a]) => out(k, a)), total: out('total', total), feesPaid };
}

export interface TaxRow {
  token: string;
  symbol: string;
  amount: number;
  dateAcquired: string;
  dateSold: string;
  /** Acquisition cost including the buy fee share (quote currency). */
  costBasis: number;
  /** Sale proceeds net of the sell fee share. */
  proceeds: number;
  /** The fees included above (buy share + sell share). */
  fees: number;
  gain: number;
}

/**
 * Realised gains by FIFO lots over the fills of the filter's bots and markets (the whole history is matched; `from`
 * / `to` select disposals by their sale date). Fees: fifoMatch run with and without fees pairs the same amounts.
 */
export function taxReport(db: StateDb, f: ReportFilter): { rows: TaxRow[]; uncovered: number; totals: { costBasis: number; proceeds: number; fees: number; gain: number } } {
  const w = filterSql({ botId: f.botId, symbol: f.symbol }, { bot: 'bot_id', symbol: 'symbol', ts: 'ts' });
  const fills = prep(db, `SELECT symbol, ts, side, price, amount, fee FROM fills ${w.sql} ORDER BY ts, id`).all(...w.args) as FifoFill[];
  const withFees = fifoMatch(fills);
  const noFees = fifoMatch(fills.map((x) => ({ ...x, fee: 0 })));
  const rows: TaxRow[] = [];
  const totals = { costBasis: 0, proceeds: 0, fees: 0, gain: 0 };
  withFees.disposals.forEach((d, i) => {
    if ((f.from !== undefined && d.disposedTs < f.from) || (f.to !== undefined && d.disposedTs >= f.to)) return;
    const n = noFees.disposals[i];
    const fees = d.cost - n.cost + (n.proceeds - d.proceeds);
    rows.push({
      token: d.symbol.split('/')[0], symbol: d.symbol, amount: d.amount, dateAcquired: new Date(d.acquiredTs).toISOString(), dateSold: new Date(d.disposedTs).toISOString(),
      costBasis: d.cost, proceeds: d.proceeds, fees, gain: d.gain,
    });
    totals.costBasis += d.cost; totals.proceeds += d.proceeds; totals.fees += fees; totals.gain += d.gain;
  });
  return { rows, uncovered: withFees.uncovered, totals };
}

export const TAX_CSV_COLUMNS = ['token', 'amount', 'date_acquired', 'date_sold', 'cost_basis', 'proceeds', 'fees', 'gain', 'symbol'] as const;

/** One CSV cell: quoted when it holds a comma, quote or line break, and when a text starts like a spreadsheet formula. */
export const csvCell = (v: string | number): string => {
  const s = String(v);
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) && typeof v === 'string' ? `"${s.replace(/"/g, '""')}"` : s;
};

export function taxCsv(rows: readonly TaxRow[]): string {
  const lines = [TAX_CSV_COLUMNS.join(',')];
  for (const r of rows) lines.push([r.token, r.amount, r.dateAcquired, r.dateSold, r.costBasis, r.proceeds, r.fees, r.gain, r.symbol].map(csvCell).join(','));
  return lines.join('\n') + '\n';
}

export interface SeriesPoint { ts: number; equity: number; realised: number; unrealised: number; fees: number }

/**
 * Equity series from the P&L snapshots: one bot, or every bot summed (each bot's last snapshot carried forward).
 * `bucketMs` > 0 keeps the last snapshot per bucket (labelled with the bucket start).
 */
export function pnlSeries(db: StateDb, f: ReportFilter, bucketMs: number): SeriesPoint[] {
  const w = filterSql({ botId: f.botId, from: f.from, to: f.to }, { bot: 'bot_id', symbol: 'bot_id', ts: 'ts' });
  const rows = prep(db, `SELECT bot_id, ts, equity, realised, unrealised, fees FROM pnl_snapshots ${w.sql} ORDER BY ts, id`).all(...w.args) as
    { bot_id: string; ts: number; equity: number; realised: number; unrealised: number; fees: number }[];
  const latest = new Map<string, SeriesPoint>();
  const out: SeriesPoint[] = [];
  const flush = (ts: number) => {
    const p: SeriesPoint = { ts, equity: 0, realised: 0, unrealised: 0, fees: 0 };
    for (const v of latest.values()) { p.equity += v.equity; p.realised += v.realised; p.unrealised += v.unrealised; p.fees += v.fees; }
    out.push(p);
  };
  let cur: number | undefined;
  for (const r of rows) {
    const b = bucketMs > 0 ? Math.floor(r.ts / bucketMs) * bucketMs : r.ts;
    if (cur !== undefined && b !== cur) flush(cur);
    cur = b;
    latest.set(r.bot_id, { ts: r.ts, equity: r.equity, realised: r.realised, unrealised: r.unrealised, fees: r.fees });
  }
  if (cur !== undefined) flush(cur);
  return out;
}
