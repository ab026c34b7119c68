// The two check kinds of the job table run the real tradelab CLI on real candles: check-lookahead writes
// results/<id>/lookahead.json, parity writes results/<id>/parity.json, and the job's result id names the folder.
// A check that found a problem exits 1: with resultExitCodes it is still done with its result id.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/cli.ts';
import { BTC_1H, SHARED_DATA } from '../../test-support/shared-data.ts';
import { JOB_KINDS, JobManager, type JobKindSpec, type JobView } from './jobs.ts';

const dir = tempDir('tl-jobs-checks-');
const results = join(dir, 'results');
const waitDone = async (m: JobManager, id: string): Promise<JobView> => {
  for (let i = 0; i < 1200 && m.get(id)!.finishedAt === null; i++) await new Promise((r) => setTimeout(r, 50));
  return m.get(id)!;
};

describe('check job kinds', () => {
  const m = new JobManager({ maxConcurrent: 2, childEnv: { TRADELAB_HOME: join(dir, 'home'), TRADELAB_RESULTS: results }, env: { sampleDataDir: SHARED_DATA }, cwd: dir });
  afterAll(async () => { await m.close(); });

  it('runs tradelab check lookahead and tradelab parity, keeping their verdicts in results/', async () => {
    const base = { strategy: 'sma-cross', params: { fast: 10, slow: 30 }, data: { file: BTC_1H }, from: '2022-01-01', to: '2022-02-01' };
    const la = m.create('check-lookahead', { ...base, cuts: 6, seed: 3 }, 'op');
    const pa = m.create('parity', { ...base, fill: { feeRate: 0.001, slippageBps: 2 } }, 'op');
    const [laDone, paDone] = [await waitDone(m, la.id), await waitDone(m, pa.id)];
    expect(laDone, laDone.error ?? '').toMatchObject({ status: 'done', error: null });
    expect(paDone, paDone.error ?? '').toMatchObject({ status: 'done', error: null });
    const laDoc = JSON.parse(readFileSync(join(results, laDone.resultRunId!, 'lookahead.json'), 'utf8')) as { clean: boolean; params: unknown; cuts: { tested: number; seed: number } };
    expect(laDoc).toMatchObject({ clean: true, params: { fast: 10, slow: 30 }, cuts: { tested: 6, seed: 3 } });
    const paDoc = JSON.parse(readFileSync(join(results, paDone.resultRunId!, 'parity.json'), 'utf8')) as { identical: boolean; fill: { slippageBps: number } };
    expect(paDoc).toMatchObject({ identical: true, fill: { slippageBps: 2 } });
  }, 120_000);

  it('refuses bad args with every problem named', () => {
    expect(() => m.create('parity', { strategy: 'sma-cross', data: { file: BTC_1H }, fill: { lotSize: 1 }, gaps: 'ffill' }, 'op'))
      .toThrow(/args\.gaps: Unexpected property; args\.fill\.lotSize: Unexpected property/);
    expect(() => m.create('check-lookahead', { strategy: 'sma-crss', data: { file: BTC_1H }, cuts: 0 }, 'op')).toThrow(/args\.cuts: Expected integer to be greater or equal to 1/);
    expect(() => m.create('check-lookahead', { strategy: 'sma-crss', data: { file: BTC_1H } }, 'op')).toThrow(/args\.strategy: unknown strategy 'sma-crss'/);
  });

  it('a result exit code other than 0 still gives the result id; other codes fail', async () => {
    const script = join(dir, 'exit1.mjs');
    writeFileSync(script, "process.stdout.write(JSON.stringify({ checkId: 'c-1' }) + '\\n'); process.exit(Number(process.argv[2]));\n");
    const kind = (codes?: number[]): JobKindSpec => ({ summary: 's', args: Type.Object({ code: Type.Integer() }), argv: (a) => [String(a.code)], resultRunId: (o) => (typeof o.checkId === 'string' ? o.checkId : null), resultExitCodes: codes });
    const x = new JobManager({ kinds: { ...JOB_KINDS, found: kind([1]), strict: kind() }, childEnv: {}, env: { sampleDataDir: undefined }, command: [process.execPath, script] });
    try {
      expect(await waitDone(x, x.create('found', { code: 1 }, 'op').id)).toMatchObject({ status: 'done', resultRunId: 'c-1' });
      expect(await waitDone(x, x.create('found', { code: 2 }, 'op').id)).toMatchObject({ status: 'failed', resultRunId: null });
      expect(await waitDone(x, x.create('strict', { code: 1 }, 'op').id)).toMatchObject({ status: 'failed', error: 'the tradelab CLI ended with exit code 1' });
    } finally { await x.close(); }
  });
});
