import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../engine/random.ts';
import { openStateStore } from './store.ts';
import { BOT, dumpState, runSequence } from './test-fixtures/crash-sequence.ts';

const CHILD = fileURLToPath(new URL('./test-fixtures/crash-sequence.ts', import.meta.url));
const dirs: string[] = [];
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'tradelab-crash-')); dirs.push(d); return d; };
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function reference() {
  const home = tmp();
  const kinds: string[] = []; // kinds[k - 1]: what step k is ('call' between store calls, else a point inside a transaction)
  const store = openStateStore(home, { onStep: (s) => kinds.push(s) });
  runSequence(store, () => { kinds.push('call'); });
  const steps = kinds.length;
  const dump = dumpState(store);
  expect(store.checkInvariants(BOT)).toEqual([]);
  store.close();
  return { dump, steps, kinds };
}

describe('crash safety of the state store (child process SIGKILLed at a step, then reopened and replayed)', () => {
  const ref = reference();

  it('the reference run is consistent and has the expected shape', () => {
    expect(ref.steps).toBeGreaterThan(100);
    expect(ref.dump.fills.length).toBe(25); // 10 buys x 2 partial fills + 5 sells
    expect(ref.dump.lots.length).toBe(20); // one lot per buy fill
    expect(ref.kinds.filter((k) => k !== 'call').length).toBe(75); // 25 fills x 3 points inside each transaction
  });

  // Seeded kill points across the whole sequence (the project's one seeded PRNG), plus the first and the last step.
  const rnd = seededRandom(20251121);
  // Inside transactions: the first fill insert, the first order update, and a sell's lot closes before commit.
  const inside = ['fill:inserted', 'fill:order-updated'].map((k) => ref.kinds.indexOf(k) + 1);
  inside.push(ref.kinds.findIndex((k, j) => k === 'fill:lots-applied' && j > ref.kinds.length / 2) + 1);
  const points = [1, ref.steps, ...inside, ...Array.from({ length: 12 }, () => 1 + Math.floor(rnd() * ref.steps))];

  it.each(points)('killed at step %i: consistent on reopen, and replaying finishes with the uninterrupted state', (killAt) => {
    const home = tmp();
    const r = spawnSync(process.execPath, ['--import', 'tsx', CHILD, home, String(killAt)], { encoding: 'utf8' });
    expect(r.signal, r.stderr).toBe('SIGKILL');

    const store = openStateStore(home);
    // Whatever instant it died at, the stored state is consistent...
    expect(store.checkInvariants(BOT)).toEqual([]);
    // ...and a prefix of the reference: every stored fill is a reference fill, none twice.
    const crashed = dumpState(store);
    const refTrades = new Map(ref.dump.fills.map((f) => [(f as { trade_id: string }).trade_id, f]));
    for (const f of crashed.fills) expect(refTrades.get((f as { trade_id: string }).trade_id)).toEqual(f);
    // A transaction cut short left nothing behind: exactly the fills committed before the kill are there.
    const committed = ref.kinds.slice(0, killAt).filter((k) => k === 'fill:lots-applied').length;
    expect(crashed.fills.length).toBe(ref.kinds[killAt - 1] === 'fill:lots-applied' ? committed - 1 : committed);
    // Replaying the runner's steps from the start finishes the work without duplicating any of it.
    runSequence(store, () => {});
    expect(store.checkInvariants(BOT)).toEqual([]);
    expect(dumpState(store)).toEqual(ref.dump);
    store.close();
  });
});
