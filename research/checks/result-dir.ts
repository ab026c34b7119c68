// A fresh folder under results/ for a check, a Monte Carlo or a multi-market summary: <stamp>-<name>[-k].
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const stampOf = (t: number) => new Date(t).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
export const slugOf = (s: string) => s.replace(/[^A-Za-z0-9]+/g, '').toLowerCase();

/** Create `<resultsDir>/<stamp>-<name>` (suffix -2, -3... when taken) and return its id and path. */
export function createResultDir(resultsDir: string, now: number, name: string): { id: string; dir: string } {
  const base = `${stampOf(now)}-${name}`;
  let id = base;
  for (let k = 2; existsSync(join(resultsDir, id)); k++) id = `${base}-${k}`;
  const dir = join(resultsDir, id);
  mkdirSync(dir, { recursive: true });
  return { id, dir };
}

/** Write through a temporary name and rename, so a crash never leaves a half-written file under its final name. */
export function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}
