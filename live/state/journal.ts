/** Alerts, the audit log, strategy rotations, risk denials and config overrides. */
import { prep, type StateDb } from './db.ts';
import { safeJson } from './secrets-guard.ts';
import type {
  AlertInput, AuditInput, ConfigOverride, RiskDenialInput, RotationInput, StoredAlert, StoredAudit, StoredRiskDenial, StoredRotation,
} from './types.ts';

/** Inserts one audit row (call inside the transaction of the change it records). */
export function insertAudit(db: StateDb, a: AuditInput): number {
  const r = prep(db, 'INSERT INTO audit_log (ts, actor, action, entity, entity_id, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(a.ts, a.actor, a.action, a.entity, a.entityId, safeJson(a.before ?? null, `audit ${a.action}`), safeJson(a.after ?? null, `audit ${a.action}`));
  return Number(r.lastInsertRowid);
}

const parse = (s: string | null): unknown => (s === null ? null : JSON.parse(s));

export class JournalRepo {
  constructor(private readonly db: StateDb) {}

  audit(a: AuditInput): number {
    return insertAudit(this.db, a);
  }

  listAudit(filter: { entity?: string; entityId?: string; limit?: number } = {}): StoredAudit[] {
    const rows = prep(this.db, `SELECT * FROM audit_log WHERE (@entity IS NULL OR entity = @entity) AND (@entityId IS NULL OR entity_id = @entityId)
      ORDER BY id DESC LIMIT @limit`).all({ entity: filter.entity ?? null, entityId: filter.entityId ?? null, limit: filter.limit ?? 1000 }) as
      { id: number; ts: number; actor: string; action: string; entity: string; entity_id: string; before: string | null; after: string | null }[];
    return rows.reverse().map((r) => ({ id: r.id, ts: r.ts, actor: r.actor, action: r.action, entity: r.entity, entityId: r.entity_id, before: parse(r.before), after: parse(r.after) }));
  }

  raiseAlert(a: AlertInput): number {
    const r = prep(this.db, 'INSERT INTO alerts (bot_id, ts, level, code, message, details) VALUES (?, ?, ?, ?, ?, ?)')
      .run(a.botId ?? null, a.ts, a.level, a.code, a.message, a.details === undefined ? null : safeJson(a.details, `alert ${a.code}`));
    return Number(r.lastInsertRowid);
  }

  listAlerts(filter: { botId?: string; unacknowledged?: boolean } = {}): StoredAlert[] {
    const rows = prep(this.db, `SELECT * FROM alerts WHERE (@bot IS NULL OR bot_id = @bot) AND (@unack = 0 OR acknowledged_at IS NULL) ORDER BY id`)
      .all({ bot: filter.botId ?? null, unack: filter.unacknowledged ? 1 : 0 }) as
      { id: number; bot_id: string | null; ts: number; level: StoredAlert['level']; code: string; message: string; details: string | null; acknowledged_at: number | null }[];
    return rows.map((r) => ({ id: r.id, botId: r.bot_id, ts: r.ts, level: r.level, code: r.code, message: r.message, details: parse(r.details) as Record<string, unknown> | null, acknowledgedAt: r.acknowledged_at }));
  }

  acknowledgeAlert(id: number, ts: number): boolean {
    return prep(this.db, 'UPDATE alerts SET acknowledged_at = ? WHERE id = ? AND acknowledged_at IS NULL').run(ts, id).changes === 1;
  }

  recordRotation(r: RotationInput): number {
    const res = prep(this.db, `INSERT INTO strategy_rotations (bot_id, ts, from_strategy, to_strategy, action, reason, consecutive_losses, rotation)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(r.botId, r.ts, r.from, r.to, r.action, r.reason, r.consecutiveLosses, r.rotation);
    return Number(res.lastInsertRowid);
  }

  listRotations(botId: string): StoredRotation[] {
    return (prep(this.db, 'SELECT * FROM strategy_rotations WHERE bot_id = ? ORDER BY id').all(botId) as
      { id: number; bot_id: string; ts: number; from_strategy: string; to_strategy: string | null; action: StoredRotation['action']; reason: string; consecutive_losses: number; rotation: number }[])
      .map((r) => ({ id: r.id, botId: r.bot_id, ts: r.ts, from: r.from_strategy, to: r.to_strategy, action: r.action, reason: r.reason, consecutiveLosses: r.consecutive_losses, rotation: r.rotation }));
  }

  recordRiskDenial(d: RiskDenialInput): number {
    const r = prep(this.db, 'INSERT INTO risk_denials (bot_id, ts, rule, effect, reason, intent) VALUES (?, ?, ?, ?, ?, ?)')
      .run(d.botId, d.ts, d.rule, d.effect, d.reason, safeJson(d.intent, `risk denial ${d.rule}`));
    return Number(r.lastInsertRowid);
  }

  listRiskDenials(botId: string, sinceTs = -Infinity): StoredRiskDenial[] {
    return (prep(this.db, 'SELECT * FROM risk_denials WHERE bot_id = ? AND ts >= ? ORDER BY id').all(botId, sinceTs === -Infinity ? -Number.MAX_VALUE : sinceTs) as
      { id: number; bot_id: string; ts: number; rule: string; effect: string; reason: string; intent: string }[])
      .map((r) => ({ id: r.id, botId: r.bot_id, ts: r.ts, rule: r.rule, effect: r.effect, reason: r.reason, intent: JSON.parse(r.intent) }));
  }

  /** Sets (or replaces) an override, audited as 'config.override' in the same transaction. botId '' = global. */
  setOverride(o: ConfigOverride): void {
    const value = safeJson(o.value, `config override ${o.key}`);
    this.db.transaction(() => {
      const before = this.getOverride(o.botId, o.key);
      prep(this.db, `INSERT INTO config_overrides (bot_id, key, value, set_by, set_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (bot_id, key) DO UPDATE SET value = excluded.value, set_by = excluded.set_by, set_at = excluded.set_at`)
        .run(o.botId, o.key, value, o.setBy, o.setAt);
      insertAudit(this.db, { ts: o.setAt, actor: o.setBy, action: 'config.override', entity: o.botId ? 'bot' : 'global', entityId: o.botId || '*', before: { [o.key]: before?.value ?? null }, after: { [o.key]: o.value } });
    }).immediate();
  }

  /** Removes an override (audited). Returns false if there was none. */
  clearOverride(botId: string, key: string, actor: string, ts: number): boolean {
    return this.db.transaction(() => {
      const before = this.getOverride(botId, key);
      if (!before) return false;
      prep(this.db, 'DELETE FROM config_overrides WHERE bot_id = ? AND key = ?').run(botId, key);
      insertAudit(this.db, { ts, actor, action: 'config.override.clear', entity: botId ? 'bot' : 'global', entityId: botId || '*', before: { [key]: before.value }, after: null });
      return true;
    }).immediate();
  }

  getOverride(botId: string, key: string): ConfigOverride | undefined {
    const r = prep(this.db, 'SELECT * FROM config_overrides WHERE bot_id = ? AND key = ?').get(botId, key) as
      { bot_id: string; key: string; value: string; set_by: string; set_at: number } | undefined;
    return r && { botId: r.bot_id, key: r.key, value: JSON.parse(r.value), setBy: r.set_by, setAt: r.set_at };
  }

  /** Overrides in force for a bot: the global ones, replaced by the bot's own. */
  overridesFor(botId: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const rows = prep(this.db, "SELECT bot_id, key, value FROM config_overrides WHERE bot_id IN ('', ?) ORDER BY bot_id = '' DESC, key").all(botId) as { bot_id: string; key: string; value: string }[];
    for (const r of rows) out[r.key] = JSON.parse(r.value);
    return out;
  }
}
