/**
 * Migration 2 (additive): the alert delivery log and the TradingView webhook alerts.
 *
 * - `alert_deliveries`: one row per attempt to send an alert to a channel (email, telegram, toast), and one per
 *   alert suppressed as a duplicate of a burst: what was sent (subject, body), to which recipient, the status and
 *   the error. `alert_id` links to `alerts` when the alert came from the journal.
 * - `webhook_alerts`: every authenticated, fresh webhook call (TradingView): its payload fields, the command it
 *   mapped to, the outcome per bot. The unique (source, alert_ts, body_hash) rejects replays across restarts.
 *
 * No column holds a secret (SMTP password, Telegram token, webhook secret come from the environment only).
 */
export const MIGRATION_002_ALERT_LOG: { readonly version: number; readonly name: string; readonly sql: string } = {
  version: 2,
  name: 'alert deliveries and webhook alerts',
  sql: `
CREATE TABLE alert_deliveries (
  id          INTEGER PRIMARY KEY,
  ts          INTEGER NOT NULL,
  alert_id    INTEGER REFERENCES alerts(id),
  trigger     TEXT NOT NULL,
  bot_id      TEXT,                        -- no foreign key: kill-all has none, a deleted bot keeps its history
  severity    TEXT NOT NULL CHECK (severity IN ('info','warning','critical')),
  channel     TEXT NOT NULL,               -- 'email' | 'telegram' | 'toast' | '*' (suppressed before any channel)
  recipient   TEXT NOT NULL DEFAULT '',    -- addresses, chat id, 'bus'
  subject     TEXT NOT NULL,
  body        TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('sent','failed','suppressed')),
  error       TEXT,
  dedup_key   TEXT NOT NULL
);
CREATE INDEX alert_deliveries_ts ON alert_deliveries(ts);
CREATE INDEX alert_deliveries_bot ON alert_deliveries(bot_id, ts);

CREATE TABLE webhook_alerts (
  id          INTEGER PRIMARY KEY,
  ts          INTEGER NOT NULL,            -- when it was received
  source      TEXT NOT NULL,               -- 'tradingview'
  alert_ts    INTEGER NOT NULL,            -- the timestamp the sender signed into the request (epoch ms)
  body_hash   TEXT NOT NULL,               -- sha256 of the canonical payload (symbol, action, price, zone)
  symbol      TEXT NOT NULL,
  action      TEXT NOT NULL,
  command     TEXT,                        -- 'resume' | 'pause' | 'stop' | 'ignore'
  price       REAL,
  zone        TEXT,
  status      TEXT NOT NULL CHECK (status IN ('received','applied','partial','failed','unknown-symbol','ignored')),
  outcome     TEXT,                        -- JSON: [{ botId, ok, error? }]
  UNIQUE (source, alert_ts, body_hash)
);
CREATE INDEX webhook_alerts_ts ON webhook_alerts(ts);
`,
};
