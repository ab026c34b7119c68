/**
 * Numbered schema migrations, applied in order inside one transaction each and recorded in `schema_migrations`.
 * Re-running is safe: applied versions are skipped. Never edit a released migration; add the next number.
 *
 * There is deliberately no column for API keys or secrets anywhere (keys come from the environment only).
 */
import type Database from 'better-sqlite3';
import { TradelabError } from '../../engine/errors.ts';
import { MIGRATION_002_ALERT_LOG } from './migration-002-alert-log.ts';
import { MIGRATION_003_VENUE_JOURNAL } from './migration-003-venue-journal.ts';
import { MIGRATION_004_BOT_COMMANDS } from './migration-004-bot-commands.ts';
import { MIGRATION_005_USERS_SESSIONS } from './migration-005-users-sessions.ts';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE bots (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  strategy    TEXT NOT NULL,               -- id@version
  params      TEXT NOT NULL DEFAULT '{}',  -- JSON
  symbols     TEXT NOT NULL,               -- JSON array
  exchange    TEXT NOT NULL,
  mode        TEXT NOT NULL CHECK (mode IN ('replay','paper','live')),
  status      TEXT NOT NULL DEFAULT 'created'
              CHECK (status IN ('created','running','paused','stopped','hold','emergency-stopped')),
  budget      REAL NOT NULL CHECK (budget > 0),
  risk        TEXT NOT NULL DEFAULT '{}',  -- JSON RiskConfig
  run_until   INTEGER,                     -- epoch ms, NULL = until stopped
  order_seq   INTEGER NOT NULL DEFAULT 0,  -- last client-order sequence number handed out
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE orders (
  id          INTEGER PRIMARY KEY,
  bot_id      TEXT NOT NULL REFERENCES bots(id),
  client_id   TEXT NOT NULL UNIQUE,
  exchange_id TEXT,
  symbol      TEXT NOT NULL,
  side        TEXT NOT NULL CHECK (side IN ('buy','sell')),
  type        TEXT NOT NULL CHECK (type IN ('limit','market')),
  price       REAL,                        -- NULL for market orders
  amount      REAL NOT NULL CHECK (amount > 0),
  filled      REAL NOT NULL DEFAULT 0,
  cost        REAL NOT NULL DEFAULT 0,     -- sum of fill price x amount
  fees        REAL NOT NULL DEFAULT 0,
  tag         TEXT NOT NULL DEFAULT '',
  lot_id      INTEGER REFERENCES lots(id), -- sell: the lot it closes (NULL = FIFO)
  status      TEXT NOT NULL CHECK (status IN ('pending','open','filled','cancelled','rejected','unknown')),
  reason      TEXT,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX orders_exchange_id ON orders(bot_id, symbol, exchange_id) WHERE exchange_id IS NOT NULL;
CREATE INDEX orders_bot_status ON orders(bot_id, status);

CREATE TABLE fills (
  id           INTEGER PRIMARY KEY,
  bot_id       TEXT NOT NULL REFERENCES bots(id),
  order_id     INTEGER NOT NULL REFERENCES orders(id),
  trade_id     TEXT NOT NULL,              -- the exchange's trade id
  symbol       TEXT NOT NULL,
  side         TEXT NOT NULL CHECK (side IN ('buy','sell')),
  price        REAL NOT NULL,
  amount       REAL NOT NULL CHECK (amount > 0),
  fee          REAL NOT NULL DEFAULT 0,    -- quote
  liquidity    TEXT CHECK (liquidity IN ('maker','taker')),
  unmatched    REAL NOT NULL DEFAULT 0,    -- sell size no open lot covered
  ts           INTEGER NOT NULL,
  UNIQUE (bot_id, symbol, trade_id)
);
CREATE INDEX fills_order ON fills(order_id);

CREATE TABLE lots (
  id            INTEGER PRIMARY KEY,
  bot_id        TEXT NOT NULL REFERENCES bots(id),
  symbol        TEXT NOT NULL,
  open_fill_id  INTEGER NOT NULL UNIQUE REFERENCES fills(id),
  buy_tag       TEXT NOT NULL DEFAULT '',
  open_ts       INTEGER NOT NULL,
  entry_price   REAL NOT NULL,
  size          REAL NOT NULL CHECK (size > 0),
  remaining     REAL NOT NULL,
  buy_fee       REAL NOT NULL DEFAULT 0,
  closed_size   REAL NOT NULL DEFAULT 0,
  exit_value    REAL NOT NULL DEFAULT 0,
  sell_fees     REAL NOT NULL DEFAULT 0,
  realised      REAL NOT NULL DEFAULT 0,   -- gross, fees excluded
  close_ts      INTEGER,
  status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','closed')),
  sell_tag      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX lots_open ON lots(bot_id, symbol, status, id);

CREATE TABLE lot_closes (
  id            INTEGER PRIMARY KEY,
  lot_id        INTEGER NOT NULL REFERENCES lots(id),
  fill_id       INTEGER NOT NULL REFERENCES fills(id),
  bot_id        TEXT NOT NULL REFERENCES bots(id),
  ts            INTEGER NOT NULL,
  size          REAL NOT NULL,
  price         REAL NOT NULL,
  realised      REAL NOT NULL,             -- gross
  sell_fee      REAL NOT NULL,             -- share of the sell fill's fee
  buy_fee_share REAL NOT NULL              -- share of the lot's buy fee
);
CREATE INDEX lot_closes_bot_ts ON lot_closes(bot_id, ts);

CREATE TABLE positions (
  bot_id      TEXT NOT NULL REFERENCES bots(id),
  symbol      TEXT NOT NULL,
  base        REAL NOT NULL DEFAULT 0,     -- open lots' remaining size
  open_cost   REAL NOT NULL DEFAULT 0,     -- entry price x remaining, fees excluded
  realised    REAL NOT NULL DEFAULT 0,     -- gross
  fees        REAL NOT NULL DEFAULT 0,     -- every fee paid in this market
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (bot_id, symbol)
);

CREATE TABLE bot_state (
  bot_id      TEXT NOT NULL REFERENCES bots(id),
  symbol      TEXT NOT NULL DEFAULT '',    -- '' = the bot as a whole
  key         TEXT NOT NULL,
  value       TEXT NOT NULL,               -- JSON
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (bot_id, symbol, key)
);

CREATE TABLE pnl_snapshots (
  id              INTEGER PRIMARY KEY,
  bot_id          TEXT NOT NULL REFERENCES bots(id),
  ts              INTEGER NOT NULL,
  equity          REAL NOT NULL,
  cash            REAL NOT NULL,
  realised        REAL NOT NULL,
  unrealised      REAL NOT NULL,
  fees            REAL NOT NULL,
  capital_in_use  REAL NOT NULL,
  open_orders     INTEGER NOT NULL
);
CREATE INDEX pnl_bot_ts ON pnl_snapshots(bot_id, ts);

CREATE TABLE strategy_rotations (
  id                  INTEGER PRIMARY KEY,
  bot_id              TEXT NOT NULL REFERENCES bots(id),
  ts                  INTEGER NOT NULL,
  from_strategy       TEXT NOT NULL,
  to_strategy         TEXT,                -- NULL when the streak paused the bot
  action              TEXT NOT NULL CHECK (action IN ('rotate','pause','resume')),
  reason              TEXT NOT NULL,
  consecutive_losses  INTEGER NOT NULL,
  rotation            INTEGER NOT NULL
);

CREATE TABLE alerts (
  id               INTEGER PRIMARY KEY,
  bot_id           TEXT REFERENCES bots(id),
  ts               INTEGER NOT NULL,
  level            TEXT NOT NULL CHECK (level IN ('info','warning','critical')),
  code             TEXT NOT NULL,
  message          TEXT NOT NULL,
  details          TEXT,                   -- JSON
  acknowledged_at  INTEGER
);

CREATE TABLE audit_log (
  id         INTEGER PRIMARY KEY,
  ts         INTEGER NOT NULL,
  actor      TEXT NOT NULL,                -- 'cli', 'api', 'runner', 'reconcile', a user name
  action     TEXT NOT NULL,                -- dotted lowercase: 'bot.status', 'config.override'
  entity     TEXT NOT NULL,
  entity_id  TEXT NOT NULL,
  before     TEXT,                         -- JSON
  after      TEXT                          -- JSON
);

CREATE TABLE config_overrides (
  bot_id      TEXT NOT NULL DEFAULT '',    -- '' = global
  key         TEXT NOT NULL,
  value       TEXT NOT NULL,               -- JSON
  set_by      TEXT NOT NULL,
  set_at      INTEGER NOT NULL,
  PRIMARY KEY (bot_id, key)
);

CREATE TABLE risk_denials (
  id        INTEGER PRIMARY KEY,
  bot_id    TEXT NOT NULL REFERENCES bots(id),
  ts        INTEGER NOT NULL,
  rule      TEXT NOT NULL,
  effect    TEXT NOT NULL,
  reason    TEXT NOT NULL,
  intent    TEXT NOT NULL                 -- JSON RiskIntent
);
CREATE INDEX risk_denials_bot_ts ON risk_denials(bot_id, ts);
`,
  },
  MIGRATION_002_ALERT_LOG,
  MIGRATION_003_VENUE_JOURNAL,
  MIGRATION_004_BOT_COMMANDS,
  MIGRATION_005_USERS_SESSIONS,
];

/** Highest applied version (0 for an empty database). */
export function schemaVersion(db: Database.Database): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

/**
 * Applies every migration above the database's version, each in its own transaction. Returns the versions
 * applied. A database newer than this code (a downgrade) is refused.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS, now: number = Date.now()): number[] {
  const current = schemaVersion(db);
  const latest = migrations.length ? migrations[migrations.length - 1].version : 0;
  if (current > latest) {
    throw new TradelabError('STATE_SCHEMA_TOO_NEW', 'config', `the database is at schema version ${current} but this tradelab knows versions up to ${latest}: upgrade tradelab, or point TRADELAB_HOME elsewhere`);
  }
  const applied: number[] = [];
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, now);
    }).immediate();
    applied.push(m.version);
  }
  return applied;
}
