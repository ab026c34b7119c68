/** The alert delivery log (`alert_deliveries`, migration 2): one row per send attempt, and per suppressed burst. */
import { prep, type StateDb } from '../state/db.ts';
import type { AlertSeverity, AlertTrigger, ChannelName } from './types.ts';

export type DeliveryStatus = 'sent' | 'failed' | 'suppressed';

export interface DeliveryInput {
  readonly ts: number;
  readonly alertId: number | null;
  readonly trigger: AlertTrigger;
  readonly botId: string | null;
  readonly severity: AlertSeverity;
  /** '*' for a burst suppressed before any channel. */
  readonly channel: ChannelName | '*';
  readonly recipient: string;
  readonly subject: string;
  readonly body: string;
  readonly status: DeliveryStatus;
  readonly error: string | null;
  readonly dedupKey: string;
}

export interface StoredDelivery extends DeliveryInput {
  readonly id: number;
}

interface Row {
  id: number; ts: number; alert_id: number | null; trigger: AlertTrigger; bot_id: string | null; severity: AlertSeverity; channel: ChannelName | '*';
  recipient: string; subject: string; body: string; status: DeliveryStatus; error: string | null; dedup_key: string;
}

export class AlertDeliveryLog {
  constructor(private readonly db: StateDb) {}

  record(d: DeliveryInput): number {
    const r = prep(this.db, `INSERT INTO alert_deliveries (ts, alert_id, trigger, bot_id, severity, channel, recipient, subject, body, status, error, dedup_key)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(d.ts, d.alertId, d.trigger, d.botId, d.severity, d.channel, d.recipient, d.subject, d.body, d.status, d.error, d.dedupKey);
    return Number(r.lastInsertRowid);
  }

  /** Newest last. */
  list(filter: { botId?: string; channel?: string; status?: DeliveryStatus; sinceTs?: number; limit?: number } = {}): StoredDelivery[] {
    const rows = prep(this.db, `SELECT * FROM (SELECT * FROM alert_deliveries
      WHERE (@bot IS NULL OR bot_id = @bot) AND (@channel IS NULL OR channel = @channel) AND (@status IS NULL OR status = @status) AND ts >= @since
      ORDER BY id DESC LIMIT @limit) ORDER BY id`)
      .all({ bot: filter.botId ?? null, channel: filter.channel ?? null, status: filter.status ?? null, since: filter.sinceTs ?? -Number.MAX_VALUE, limit: filter.limit ?? 1000 }) as Row[];
    return rows.map((r) => ({
      id: r.id, ts: r.ts, alertId: r.alert_id, trigger: r.trigger, botId: r.bot_id, severity: r.severity, channel: r.channel, recipient: r.recipient,
      subject: r.subject, body: r.body, status: r.status, error: r.error, dedupKey: r.dedup_key,
    }));
  }

  /** The highest journal alert id that reached the dispatcher (the journal watcher resumes after it). */
  lastAlertId(): number | null {
    return (prep(this.db, 'SELECT MAX(alert_id) AS id FROM alert_deliveries').get() as { id: number | null }).id;
  }
}
