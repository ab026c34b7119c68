// `--progress-json`: sweep and walk-forward print one JSON progress line per step on stderr (the server's jobs read them).
import { describe, expect, it } from 'vitest';
import { BTC_1H, sharedFile } from '../../test-support/shared-data.ts';
import { runCli, tempDir } from '../../test-support/cli.ts';

const lines = (stderr: string) => stderr.trim().split('\n').map((l) => JSON.parse(l) as { progress: { label: string; done: number; total: number } });

describe('--progress-json', () => {
  it('sweep: JSON lines up to done = total, and the --json result on stdout', async () => {
    const r = await runCli(['sweep', '--strategy', 'sma-cross', '--data', sharedFile(BTC_1H), '--from', '2022-01-01', '--to', '2022-03-31',
      '--grid', 'fast=5:20:5', '--grid', 'slow=30:50:10', '--workers', '1', '--progress-json', '--json'], tempDir());
    expect(r.code, r.stderr).toBe(0);
    const p = lines(r.stderr);
    expect(p.length).toBeGreaterThan(0);
    expect(p.at(-1)!.progress).toEqual({ label: 'sweep', done: 12, total: 12 });
    expect(p.every((x, k) => k === 0 || x.progress.done >= p[k - 1].progress.done)).toBe(true);
    expect(JSON.parse(r.stdout).manifest.kind).toBe('sweep');
  }, 60_000);

  it('walk-forward: JSON lines labelled walk-forward', async () => {
    const r = await runCli(['walk-forward', '--strategy', 'sma-cross', '--data', sharedFile(BTC_1H), '--from', '2022-01-01', '--to', '2022-06-30',
      '--grid', 'fast=5:15:5', '--grid', 'slow=30:40:10', '--train', '60d', '--test', '30d', '--workers', '1', '--progress-json', '--json'], tempDir());
    expect(r.code, r.stderr).toBe(0);
    const p = lines(r.stderr);
    expect(p.at(-1)!.progress.label).toBe('walk-forward');
    expect(p.at(-1)!.progress.done).toBe(p.at(-1)!.progress.total);
  }, 60_000);
});
