/**
 * Per-bot fiscal log files under `<TRADELAB_HOME>/logs/<bot-id>/` (issue 6), one pair per UTC calendar year:
 *
 *   fiscal-<YYYY>-trades.csv   every fill of the year, oldest first: the acquisitions (buys) and disposals (sells)
 *                              with amount, price, value, fee, the order's client id and the exchange's trade id
 *   fiscal-<YYYY>-gains.csv    realised gains of the year's disposals by FIFO lots: the tax export's columns
 *                              (token, amount, date acquired, date sold, cost basis, proceeds, fees, gain), byte for
 *                              byte what `GET /api/reports/tax?botId=<id>&year=<YYYY>&format=csv` returns
 *   fiscal.json                what was written: the last fill id included, the years, when
 *
 * Rotation is by fiscal (UTC calendar) year: a new year starts new files; the files of a year are rewritten whole
 * (temporary file, then rename: a reader never sees half a file) only while fills of that year, or of an earlier
 * year (a FIFO match of a later sale may change), are still arriving. The files are a pure function of the fills in
 * the state database: `sync()` brings every bot up to date (after a restart, after fills written by another process)
 * and writing them twice gives the same bytes.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prep, type StateDb } from '../state/db.ts';
import { csvCell, taxCsv, taxReport, type TaxRow } from './reports.ts';

export const FISCAL_TRADES_COLUMNS = [
  'date', 'ts', 'symbol', 'token', 'quote', 'side', 'event', 'amount', 'price', 'value', 'fee', 'fee_currency', 'unmatched', 'order_client_id', 'trade_id', 'liquidity',
] as const;

export interface FiscalManifest {
  readonly botId: string;
  readonly method: 'FIFO';
  /** Highest fill id (fills.id) the files include. */
  readonly lastFillId: number;
  readonly fills: number;
  /** Years with files, ascending. */
  readonly years: readonly number[];
  /** Files rewritten by the last update (names inside the bot's folder). */
  readonly written: readonly string[];
  readonly updatedAt: string;
}

interface FillRow { id: number; ts: number; symbol: string; side: 'buy' | 'sell'; price: number; amount: number; fee: number; unmatched: number; liquidity: string | null; trade_id: string; client_id: string }

const yearOf = (ts: number): number => new Date(ts).getUTCFullYear();
const MANIFEST = 'fiscal.json';

export const fiscalFileNames = (year: number): { trades: string; gains: string } => ({ trades: `fiscal-${year}-trades.csv`, gains: `fiscal-${year}-gains.csv` });

/** The trades file of one year (header and one line per fill, in (ts, id) order). */
export function fiscalTradesCsv(fills: readonly FillRow[]): string {
  const lines: string[] = [FISCAL_TRADES_COLUMNS.join(',')];
  for (const f of fills) {
    const [token, quote = ''] = f.symbol.split('/');
    lines.push([
      new Date(f.ts).toISOString(), f.ts, f.symbol, token, quote, f.side, f.side === 'buy' ? 'acquisition' : 'disposal', f.amount, f.price, f.price * f.amount, f.fee, quote,
      f.unmatched, f.client_id, f.trade_id, f.liquidity ?? '',
    ].map(csvCell).join(','));
  }
  return lines.join('\n') + '\n';
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export class FiscalLogWriter {
  readonly #manifests = new Map<string, FiscalManifest | null>();
  #seen = -1;

  /** `logsDir`: `<TRADELAB_HOME>/logs`. */
  constructor(private readonly db: StateDb, readonly logsDir: string, private readonly now: () => number = Date.now) {}

  dirOf(botId: string): string { return join(this.logsDir, botId); }

  manifest(botId: string): FiscalManifest | null {
    if (!this.#manifests.has(botId)) {
      const file = join(this.dirOf(botId), MANIFEST);
      let m: FiscalManifest | null = null;
      try { m = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as FiscalManifest : null; } catch { m = null; }
      this.#manifests.set(botId, m);
    }
    return this.#manifests.get(botId) ?? null;
  }

  /**
   * Brings every bot's files up to date with its fills; returns the paths written. Cheap when nothing changed (one
   * MAX(id) query). A bot whose folder or files went missing is written again.
   */
  sync(): string[] {
    const max = (prep(this.db, 'SELECT COALESCE(MAX(id), 0) AS m FROM fills').get() as { m: number }).m;
    if (max === this.#seen) return [];
    const out: string[] = [];
    for (const b of prep(this.db, 'SELECT bot_id, MAX(id) AS last FROM fills GROUP BY bot_id ORDER BY bot_id').all() as { bot_id: string; last: number }[]) {
      const m = this.manifest(b.bot_id);
      const complete = m !== null && m.years.every((y) => { const n = fiscalFileNames(y); return existsSync(join(this.dirOf(b.bot_id), n.trades)) && existsSync(join(this.dirOf(b.bot_id), n.gains)); });
      if (m && complete && m.lastFillId >= b.last) continue;
      out.push(...this.writeBot(b.bot_id, m && complete ? m.lastFillId : 0));
    }
    this.#seen = max;
    return out;
  }

  /**
   * Writes the files of one bot: the years from the earliest year of a fill with id > `afterFillId` on (all years
   * when 0). Returns the paths written.
   */
  writeBot(botId: string, afterFillId = 0): string[] {
    const fills = prep(this.db, `SELECT f.id, f.ts, f.symbol, f.side, f.price, f.amount, f.fee, f.unmatched, f.liquidity, f.trade_id, o.client_id
      FROM fills f JOIN orders o ON o.id = f.order_id WHERE f.bot_id = ? ORDER BY f.ts, f.id`).all(botId) as FillRow[];
    if (fills.length === 0) return [];
    let fromYear = Infinity;
    let last = 0;
    for (const f of fills) {
      if (f.id > afterFillId && yearOf(f.ts) < fromYear) fromYear = yearOf(f.ts);
      if (f.id > last) last = f.id;
    }
    const byYear = new Map<number, FillRow[]>();
    for (const f of fills) {
      const y = yearOf(f.ts);
      let list = byYear.get(y);
      if (!list) byYear.set(y, (list = []));
      list.push(f);
    }
    // FIFO over the bot's whole history; each year's file takes the disposals sold in it (as the tax export does).
    const gains = new Map<number, TaxRow[]>();
    for (const r of taxReport(this.db, { botId }).rows) {
      const y = Number(r.dateSold.slice(0, 4));
      let list = gains.get(y);
      if (!list) gains.set(y, (list = []));
      list.push(r);
    }
    const dir = this.dirOf(botId);
    mkdirSync(dir, { recursive: true });
    const written: string[] = [];
    const years = [...byYear.keys()].sort((a, b) => a - b);
    for (const y of years) {
      if (y < fromYear) continue;
      const n = fiscalFileNames(y);
      writeAtomic(join(dir, n.trades), fiscalTradesCsv(byYear.get(y)!));
      writeAtomic(join(dir, n.gains), taxCsv(gains.get(y) ?? []));
      written.push(n.trades, n.gains);
    }
    const m: FiscalManifest = { botId, method: 'FIFO', lastFillId: last, fills: fills.length, years, written, updatedAt: new Date(this.now()).toISOString() };
    writeAtomic(join(dir, MANIFEST), JSON.stringify(m, null, 2) + '\n');
    this.#manifests.set(botId, m);
    return written.map((f) => join(dir, f));
  }
}
