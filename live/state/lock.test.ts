import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isTradelabError } from '../../engine/errors.ts';
import { acquireWriterLock } from './lock.ts';

const dirs: string[] = [];
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'tradelab-lock-')); dirs.push(d); return d; };
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

describe('single-writer lock', () => {
  it('a second holder is refused while the first is alive; release frees it', () => {
    const home = tmp();
    const a = acquireWriterLock(home);
    expect(JSON.parse(readFileSync(a.path, 'utf8')).pid).toBe(process.pid);
    let err: unknown;
    try { acquireWriterLock(home); } catch (e) { err = e; }
    expect(isTradelabError(err) && err.code === 'STATE_LOCKED' && /pid \d+/.test(err.message)).toBe(true);
    a.release();
    a.release();
    expect(existsSync(a.path)).toBe(false);
    const b = acquireWriterLock(home);
    b.release();
  });

  it('another process cannot take it, and a lock left by a dead process is taken over', () => {
    const home = tmp();
    const held = acquireWriterLock(home);
    const lockTs = new URL('./lock.ts', import.meta.url).pathname;
    const script = `import { acquireWriterLock } from ${JSON.stringify(lockTs)}; try { acquireWriterLock(${JSON.stringify(home)}); console.log('TOOK'); } catch (e) { console.log(e.code); }`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('STATE_LOCKED');
    held.release();
    // A pid that has exited: the lock is stale.
    const dead = spawnSync(process.execPath, ['-e', 'process.pid'], { encoding: 'utf8' }).pid!;
    writeFileSync(join(home, 'locks', 'writer.lock'), JSON.stringify({ pid: dead, host: hostname(), startedAt: '2025-01-01T00:00:00.000Z' }));
    const c = acquireWriterLock(home);
    expect(JSON.parse(readFileSync(c.path, 'utf8')).pid).toBe(process.pid);
    c.release();
  });

  it('named locks are independent', () => {
    const home = tmp();
    const a = acquireWriterLock(home, { name: 'bot-alpha' });
    const b = acquireWriterLock(home, { name: 'bot-beta' });
    expect(a.path).not.toBe(b.path);
    a.release(); b.release();
  });
});
