/** Bots and their key/value state (e.g. AnchorHigh per market). Status changes are audited in the same transaction. */
import { usageError, TradelabError } from '../../engine/errors.ts';
import { prep, type StateDb } from './db.ts';
import { safeJson } from './secrets-guard.ts';
import { insertAudit } from './journal.ts';
import type { BotMode, BotRow, BotStatus, NewBot } from './types.ts';

const MODES: readonly BotMode[] = ['replay', 'paper', 'live'];
export const BOT_STATUSES: readonly BotStatus[] = ['created', 'running', 'paused', 'stopped', 'hold', 'emergency-stopped'];

interface BotDbRow {
  id: string; name: string; strategy: string; params: string; symbols: string; exchange: string; mode: BotMode;
  status: BotStatus; budget: number; risk: string; run_until: number | null; order_seq: number; created_at: number; updated_at: number;
}

const toBot = (r: BotDbRow): BotRow => ({
  id: r.id, name: r.name, strategy: r.strategy, params: JSON.parse(r.params), symbols: JSON.parse(r.symbols),
  exchange: r.exchange, mode: r.mode, status: r.status, budget: r.budget, risk: JSON.parse(r.risk), runUntil: r.run_until,
  orderSeq: r.order_seq, createdAt: r.created_at, updatedAt: r.updated_at,
});

export class BotsRepo {
  constructor(private readonly db: StateDb) {}

  /** Creates a bot (status 'created'); audited as 'bot.create'. Throws on a duplicate id or name. */
  create(bot: NewBot, actor: string, ts: number): BotRow {
    const id = bot.id ?? bot.name;
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(id)) {
      throw usageError('BOT_ID_INVALID', `bot id '${id}' must be 1-64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit`);
    }
    if (!MODES.includes(bot.mode)) throw usageError('BOT_MODE_INVALID', `bot mode '${bot.mode}' is not one of ${MODES.join(', ')}`);
    if (!(bot.budget > 0 && Number.isFinite(bot.budget))) throw usageError('BOT_BUDGET_INVALID', `bot budget must be a positive amount of quote currency, got ${bot.budget}`);
    if (bot.symbols.length === 0) throw usageError('BOT_SYMBOLS_EMPTY', 'a bot needs at least one symbol');
    const params = safeJson(bot.params ?? {}, `bot ${id} params`);
    const risk = safeJson(bot.risk ?? {}, `bot ${id} risk`);
    return this.db.transaction(() => {
      if (this.get(id) || prep(this.db, 'SELECT 1 FROM bots WHERE name = ?').get(bot.name)) {
        throw usageError('BOT_EXISTS', `a bot with id '${id}' or name '${bot.name}' already exists`);
      }
      prep(this.db, `INSERT INTO bots (id, name, strategy, params, symbols, exchange, mode, status, budget, risk, run_until, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, 'created', ?, ?, ?, ?, ?)`)
        .run(id, bot.name, bot.strategy, params, JSON.stringify(bot.symbols), bot.exchange, bot.mode, bot.budget, risk, bot.runUntil ?? null, ts, ts);
      const row = this.require(id);
      insertAudit(this.db, { ts, actor, action: 'bot.create', entity: 'bot', entityId: id, before: null, after: row });
      return row;
    }).immediate();
  }

  get(id: string): BotRow | undefined {
    const r = prep(this.db, 'SELECT * FROM bots WHERE id = ?').get(id) as BotDbRow | undefined;
    return r && toBot(r);
  }

  /** The bot, or a usage error naming the known ids. */
  require(id: string): BotRow {
    const b = this.get(id);
    if (!b) {
      const ids = (prep(this.db, 'SELECT id FROM bots ORDER BY id').all() as { id: string }[]).map((r) => r.id);
      throw usageError('BOT_NOT_FOUND', `no bot '${id}'${ids.length ? `; known: ${ids.join(', ')}` : ' (there are no bots yet)'}`);
    }
    return b;
  }

  list(filter: { status?: BotStatus } = {}): BotRow[] {
    const rows = (filter.status
      ? prep(this.db, 'SELECT * FROM bots WHERE status = ? ORDER BY created_at, id').all(filter.status)
      : prep(this.db, 'SELECT * FROM bots ORDER BY created_at, id').all()) as BotDbRow[];
    return rows.map(toBot);
  }

  /** Sets the status; audited as 'bot.status' with before and after. Returns the updated bot. */
  setStatus(id: string, status: BotStatus, actor: string, ts: number): BotRow {
    if (!BOT_STATUSES.includes(status)) throw usageError('BOT_STATUS_INVALID', `bot status '${status}' is not one of ${BOT_STATUSES.join(', ')}`);
    return this.db.transaction(() => {
      const before = this.require(id);
      prep(this.db, 'UPDATE bots SET status = ?, updated_at = ? WHERE id = ?').run(status, ts, id);
      insertAudit(this.db, { ts, actor, action: 'bot.status', entity: 'bot', entityId: id, before: { status: before.status }, after: { status } });
      return this.require(id);
    }).immediate();
  }

  /** Hands out the next client-order sequence number (1, 2, ...), durably: never the same twice, even after a crash. */
  nextOrderSeq(id: string): number {
    const r = prep(this.db, 'UPDATE bots SET order_seq = order_seq + 1 WHERE id = ? RETURNING order_seq').get(id) as { order_seq: number } | undefined;
    if (!r) throw new TradelabError('BOT_NOT_FOUND', 'invariant', `nextOrderSeq: no bot '${id}'`);
    return r.order_seq;
  }

  /** Key/value state per bot and market ('' = the bot as a whole). Values are JSON. */
  setState(botId: string, symbol: string, key: string, value: unknown, ts: number): void {
    prep(this.db, `INSERT INTO bot_state (bot_id, symbol, key, value, updated_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (bot_id, symbol, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`)
      .run(botId, symbol, key, safeJson(value, `bot ${botId} state ${key}`), ts);
  }

  getState<T = unknown>(botId: string, symbol: string, key: string): T | undefined {
    const r = prep(this.db, 'SELECT value FROM bot_state WHERE bot_id = ? AND symbol = ? AND key = ?').get(botId, symbol, key) as { value: string } | undefined;
    return r ? (JSON.parse(r.value) as T) : undefined;
  }

  /** Every state entry of a bot: { [symbol]: { [key]: value } }. */
  allState(botId: string): Record<string, Record<string, unknown>> {
    const out: Record<string, Record<string, unknown>> = {};
    for (const r of prep(this.db, 'SELECT symbol, key, value FROM bot_state WHERE bot_id = ? ORDER BY symbol, key').all(botId) as { symbol: string; key: string; value: string }[]) {
      (out[r.symbol] ??= {})[r.key] = JSON.parse(r.value);
    }
    return out;
  }

  deleteState(botId: string, symbol: string, key: string): void {
    prep(this.db, 'DELETE FROM bot_state WHERE bot_id = ? AND symbol = ? AND key = ?').run(botId, symbol, key);
  }
}
