/**
 * Commands to running bots and the tasks running them (migration 4). A process that does not run a bot (the CLI, the
 * API of another process) asks the one that does: `enqueue` a kill, stop or pause, then wait for its `done_at`. The
 * running process registers its task (`claimTask`: one per bot across processes), beats every second, claims the
 * bot's commands (`take`: once, atomically) and `complete`s them with their outcome.
 */
import { hostname } from 'node:os';
import { TradelabError } from '../../engine/errors.ts';
import { prep, type StateDb } from './db.ts';
import { safeJson } from './secrets-guard.ts';

export type BotCommandKind = 'kill' | 'stop' | 'pause';

export interface BotCommand {
  readonly id: number;
  readonly botId: string;
  readonly command: BotCommandKind;
  readonly args: Readonly<Record<string, unknown>>;
  readonly actor: string;
  readonly createdAt: number;
  readonly takenAt: number | null;
  readonly takenBy: string | null;
  readonly doneAt: number | null;
  readonly result: unknown;
}

export interface BotTask {
  readonly botId: string;
  readonly pid: number;
  readonly host: string;
  readonly startedAt: number;
  readonly heartbeatAt: number;
}

interface CommandRow { id: number; bot_id: string; command: BotCommandKind; args: string; actor: string; created_at: number; taken_at: number | null; taken_by: string | null; done_at: number | null; result: string | null }

const toCommand = (r: CommandRow): BotCommand => ({
  id: r.id, botId: r.bot_id, command: r.command, args: JSON.parse(r.args) as Record<string, unknown>, actor: r.actor, createdAt: r.created_at,
  takenAt: r.taken_at, takenBy: r.taken_by, doneAt: r.done_at, result: r.result === null ? null : JSON.parse(r.result) as unknown,
});

/** A heartbeat older than this (wall clock) marks a task of another host as gone. */
export const TASK_STALE_MS = 15_000;

function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** This process as a task owner: "<pid>@<host>". */
export function thisProcess(): { pid: number; host: string; label: string } {
  const host = hostname();
  return { pid: process.pid, host, label: `${process.pid}@${host}` };
}

export class BotCommandsRepo {
  constructor(private readonly db: StateDb) {}

  // ---------- commands ----------

  enqueue(botId: string, command: BotCommandKind, args: Record<string, unknown>, actor: string, ts: number): BotCommand {
    const r = prep(this.db, 'INSERT INTO bot_commands (bot_id, command, args, actor, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(botId, command, safeJson(args, `command ${command} of bot ${botId}`), actor, ts);
    return this.get(Number(r.lastInsertRowid)) as BotCommand;
  }

  get(id: number): BotCommand | undefined {
    const r = prep(this.db, 'SELECT * FROM bot_commands WHERE id = ?').get(id) as CommandRow | undefined;
    return r && toCommand(r);
  }

  /** Commands of the bot not yet claimed, oldest first. */
  pending(botId: string): BotCommand[] {
    return (prep(this.db, 'SELECT * FROM bot_commands WHERE bot_id = ? AND done_at IS NULL AND taken_at IS NULL ORDER BY id').all(botId) as CommandRow[]).map(toCommand);
  }

  /** Claims a command for this process; false when another claimed it first. */
  take(id: number, by: string, ts: number): boolean {
    return prep(this.db, 'UPDATE bot_commands SET taken_at = ?, taken_by = ? WHERE id = ? AND taken_at IS NULL').run(ts, by, id).changes === 1;
  }

  complete(id: number, result: unknown, ts: number): void {
    prep(this.db, 'UPDATE bot_commands SET done_at = ?, result = ? WHERE id = ?').run(ts, JSON.stringify(result ?? null), id);
  }

  // ---------- tasks ----------

  task(botId: string): BotTask | undefined {
    const r = prep(this.db, 'SELECT * FROM bot_tasks WHERE bot_id = ?').get(botId) as { bot_id: string; pid: number; host: string; started_at: number; heartbeat_at: number } | undefined;
    return r && { botId: r.bot_id, pid: r.pid, host: r.host, startedAt: r.started_at, heartbeatAt: r.heartbeat_at };
  }

  /** The live task running the bot (a row left by a dead process is not one), if any. `wallNow`: the wall clock. */
  liveTask(botId: string, wallNow: number = Date.now()): BotTask | undefined {
    const t = this.task(botId);
    if (!t) return undefined;
    if (t.host === hostname()) return pidAlive(t.pid) ? t : undefined;
    return wallNow - t.heartbeatAt <= TASK_STALE_MS ? t : undefined;
  }

  /**
   * Registers this process as the bot's task; BOT_ALREADY_RUNNING (config) when a live task of another process, or a
   * second task in this one, runs it. A row left by a crash is taken over.
   */
  claimTask(botId: string, wallNow: number = Date.now()): void {
    const me = thisProcess();
    this.db.transaction(() => {
      const held = this.liveTask(botId, wallNow);
      if (held) {
        throw new TradelabError('BOT_ALREADY_RUNNING', 'config',
          `bot '${botId}' is already running in pid ${held.pid} on ${held.host} (since ${new Date(held.startedAt).toISOString()}); stop it there, or send it a command from here (tradelab bot pause|stop|kill ${botId})`,
          { details: { ...held } });
      }
      prep(this.db, 'INSERT OR REPLACE INTO bot_tasks (bot_id, pid, host, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?)').run(botId, me.pid, me.host, wallNow, wallNow);
    }).immediate();
  }

  heartbeat(botId: string, wallNow: number = Date.now()): void {
    prep(this.db, 'UPDATE bot_tasks SET heartbeat_at = ? WHERE bot_id = ? AND pid = ? AND host = ?').run(wallNow, botId, process.pid, hostname());
  }

  /** Removes this process's task row of the bot (its task ended). */
  releaseTask(botId: string): void {
    prep(this.db, 'DELETE FROM bot_tasks WHERE bot_id = ? AND pid = ? AND host = ?').run(botId, process.pid, hostname());
  }
}
