/**
 * Migration 4 (additive): commands to running bots, the tasks running them, and two indexes of the risk inputs.
 *
 * - bot_commands: a kill, stop or pause asked by one process (the CLI, the API) of a bot another process runs. The
 *   running process polls it (live/runtime/host.ts, every second and before every bar), claims a command
 *   (taken_at), acts with its own venue and order path, and writes the outcome (done_at, result JSON); the asking
 *   process waits for done_at.
 * - bot_tasks: which process runs a bot now (pid, host, heartbeat every second); a row whose pid is dead (same host)
 *   or whose heartbeat is stale is left over by a crash and is taken over. One task per bot across processes.
 * - lots_closed, fills_unmatched, orders_unsettled: the risk state reads the latest closed lots, the unmatched fees
 *   and the open orders of the exchange before every order; without them each scans the whole history.
 */
export const MIGRATION_004_BOT_COMMANDS: { readonly version: number; readonly name: string; readonly sql: string } = {
  version: 4,
  name: 'bot commands and tasks',
  sql: `
CREATE TABLE bot_commands (
  id         INTEGER PRIMARY KEY,
  bot_id     TEXT NOT NULL REFERENCES bots(id),
  command    TEXT NOT NULL CHECK (command IN ('kill', 'stop', 'pause')),
  args       TEXT NOT NULL DEFAULT '{}',   -- JSON, e.g. {"orders":"cancel"} for stop, {"reason":"..."}
  actor      TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  taken_at   INTEGER,                      -- claimed by the running process
  taken_by   TEXT,                         -- "<pid>@<host>"
  done_at    INTEGER,
  result     TEXT                          -- JSON outcome ({"cancelled":[...],"failed":[...]} or {"error":"..."})
);
CREATE INDEX bot_commands_open ON bot_commands(bot_id, id) WHERE done_at IS NULL;
CREATE TABLE bot_tasks (
  bot_id       TEXT PRIMARY KEY REFERENCES bots(id),
  pid          INTEGER NOT NULL,
  host         TEXT NOT NULL,
  started_at   INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL
);
CREATE INDEX lots_closed ON lots(bot_id, status, close_ts, id);
CREATE INDEX fills_unmatched ON fills(bot_id) WHERE unmatched > 0;
CREATE INDEX orders_unsettled ON orders(bot_id, symbol) WHERE status IN ('pending', 'open', 'unknown');
`,
};
