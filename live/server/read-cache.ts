/**
 * Results of read-only queries cached until the database changes. The version is (PRAGMA data_version, which moves
 * when another connection commits, total_changes(), which moves with every row this connection writes): any write
 * anywhere invalidates every entry. Hot reads (/api/bots, /api/status under the load bench) then cost two tiny
 * statements instead of materialising every row again.
 */
import { prep, type StateDb } from '../state/db.ts';

export class ReadCache {
  readonly #entries = new Map<string, { version: string; value: unknown }>();

  constructor(private readonly db: StateDb, private readonly maxEntries = 256) {}

  version(): string {
    const dv = prep(this.db, 'PRAGMA data_version').pluck().get() as number;
    const tc = prep(this.db, 'SELECT total_changes()').pluck().get() as number;
    return `${dv}:${tc}`;
  }

  get<T>(key: string, compute: () => T): T {
    const v = this.version();
    const hit = this.#entries.get(key);
    if (hit && hit.version === v) return hit.value as T;
    const value = compute();
    if (this.#entries.size >= this.maxEntries) this.#entries.clear();
    this.#entries.set(key, { version: v, value });
    return value;
  }
}
