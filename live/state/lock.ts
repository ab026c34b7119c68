/**
 * Single-writer lock: one `tradelab` process at a time runs bots against a TRADELAB_HOME. The lock is a file
 * created exclusively (O_EXCL) holding the owner's pid; a lock whose pid is no longer alive is stale and is
 * taken over. Release removes it (only if it still names us).
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { TradelabError } from '../../engine/errors.ts';
import { ensureStateHome } from './paths.ts';

export interface WriterLock {
  readonly path: string;
  readonly pid: number;
  /** Removes the lock file if it is still ours. Safe to call twice. */
  release(): void;
}

export interface LockOptions {
  /** Lock name (file `<home>/locks/<name>.lock`). Default 'writer'. */
  readonly name?: string;
  /** Owner pid written into the lock (default: this process). */
  readonly pid?: number;
  /** Timestamp written into the lock (epoch ms; default: now). */
  readonly now?: number;
}

interface LockBody { pid: number; host: string; startedAt: string }

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readBody(path: string): LockBody | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockBody;
  } catch {
    return null;
  }
}

/** Takes the lock or throws STATE_LOCKED naming the process that holds it. */
export function acquireWriterLock(home: string, opts: LockOptions = {}): WriterLock {
  const { locksDir } = ensureStateHome(home);
  const path = join(locksDir, `${opts.name ?? 'writer'}.lock`);
  const pid = opts.pid ?? process.pid;
  const body: LockBody = { pid, host: hostname(), startedAt: new Date(opts.now ?? Date.now()).toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const held = readBody(path);
      if (held && held.host === body.host && !alive(held.pid)) {
        rmSync(path, { force: true }); // stale: its owner is gone
        continue;
      }
      throw new TradelabError('STATE_LOCKED', 'config',
        `${path} is held by ${held ? `pid ${held.pid} on ${held.host} since ${held.startedAt}` : 'another process (unreadable lock file)'}: only one tradelab process may run bots from this TRADELAB_HOME. Stop it, or remove the file if that process is gone.`,
        { details: { path, holder: held } });
    }
    writeSync(fd, JSON.stringify(body));
    closeSync(fd);
    let released = false;
    return {
      path, pid,
      release() {
        if (released) return;
        released = true;
        if (readBody(path)?.pid === pid) rmSync(path, { force: true });
      },
    };
  }
  throw new TradelabError('STATE_LOCKED', 'config', `${path}: could not take over a stale lock (another process raced for it)`);
}
