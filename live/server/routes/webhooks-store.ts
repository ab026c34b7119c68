/**
 * The `webhook_alerts` table (migration 2): every authenticated, fresh webhook call. The unique
 * (source, alert_ts, body_hash) makes a replay of the same alert an insert conflict, across restarts too.
 */
import { prep, type StateDb } from '../../state/db.ts';
import { safeJson } from '../../state/secrets-guard.ts';

export type WebhookCommand = 'resume' | 'pause' | 'stop' | 'ignore';
export type WebhookStatus = 'received' | 'applied' | 'partial' | 'failed' | 'unknown-symbol' | 'ignored';

export interface BotOutcome {
  readonly botId: string;
  readonly ok: boolean;
  /** 'already <status>' when the bot was in the target state. */
  readonly note?: string;
  readonly error?: string;
}

export interface WebhookAlertInput {
  readonly ts: number;
  readonly source: string;
  readonly alertTs: number;
  readonly bodyHash: string;
  readonly symbol: string;
  readonly action: string;
  readonly command: WebhookCommand | null;
  readonly price: number | null;
  readonly zone: string | null;
}

export interface StoredWebhookAlert extends WebhookAlertInput {
  readonly id: number;
  readonly status: WebhookStatus;
  readonly outcome: readonly BotOutcome[] | null;
}

interface Row {
  id: number; ts: number; source: string; alert_ts: number; body_hash: string; symbol: string; action: string; command: WebhookCommand | null;
  price: number | null; zone: string | null; status: WebhookStatus; outcome: string | null;
}

export class WebhookAlertsRepo {
  constructor(private readonly db: StateDb) {}

  /** Inserts a received alert; undefined when the same (source, alertTs, bodyHash) is already stored (a replay). */
  insert(a: WebhookAlertInput): number | undefined {
    const r = prep(this.db, `INSERT INTO webhook_alerts (ts, source, alert_ts, body_hash, symbol, action, command, price, zone, status)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'received') ON CONFLICT (source, alert_ts, body_hash) DO NOTHING`)
      .run(a.ts, a.source, a.alertTs, a.bodyHash, a.symbol, a.action, a.command, a.price, a.zone);
    return r.changes === 1 ? Number(r.lastInsertRowid) : undefined;
  }

  settle(id: number, status: WebhookStatus, outcome: readonly BotOutcome[]): void {
    prep(this.db, 'UPDATE webhook_alerts SET status = ?, outcome = ? WHERE id = ?').run(status, safeJson(outcome, 'webhook outcome'), id);
  }

  /** Newest last. */
  list(filter: { source?: string; symbol?: string; limit?: number } = {}): StoredWebhookAlert[] {
    const rows = prep(this.db, `SELECT * FROM (SELECT * FROM webhook_alerts WHERE (@source IS NULL OR source = @source) AND (@symbol IS NULL OR symbol = @symbol)
      ORDER BY id DESC LIMIT @limit) ORDER BY id`).all({ source: filter.source ?? null, symbol: filter.symbol ?? null, limit: filter.limit ?? 500 }) as Row[];
    return rows.map((r) => ({
      id: r.id, ts: r.ts, source: r.source, alertTs: r.alert_ts, bodyHash: r.body_hash, symbol: r.symbol, action: r.action, command: r.command,
      price: r.price, zone: r.zone, status: r.status, outcome: r.outcome === null ? null : (JSON.parse(r.outcome) as BotOutcome[]),
    }));
  }
}
