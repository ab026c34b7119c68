// `tradelab parity` keeps its verdict: results/<id>/parity.json with what was compared, identical or not, and the
// first differences; --json names the folder (checkId); --no-save writes nothing.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BTC_1H, sharedFile } from '../../test-support/shared-data.ts';
import { runLiveCli } from './cli-harness.test-util.ts';
import { PARITY_SCHEMA } from './parity-result.ts';

const FILE = sharedFile(BTC_1H);
const dir = mkdtempSync(join(tmpdir(), 'tl-parity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tradelab parity results', () => {
  it('writes parity.json under TRADELAB_RESULTS and prints its id', async () => {
    const results = join(dir, 'results');
    const r = await runLiveCli(['parity', '--strategy', 'sma-cross', '--param', 'fast=8', '--data', FILE, '--from', '2022-03-01', '--to', '2022-04-01', '--json'], { TRADELAB_HOME: join(dir, 'home'), TRADELAB_RESULTS: results }, dir);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { checkId: string; identical: boolean; backtestFills: number };
    expect(out.checkId).toMatch(/^\d{8}T\d{6}Z-check-parity-sma-cross-btcusdt-1h$/);
    const doc = JSON.parse(readFileSync(join(results, out.checkId, 'parity.json'), 'utf8')) as Record<string, unknown> & { data: Record<string, unknown>; strategy: Record<string, unknown> };
    expect(doc).toMatchObject({ schema: PARITY_SCHEMA, checkId: out.checkId, identical: true, differencesTotal: 0, params: { fast: 8, slow: 30 }, backtestFills: out.backtestFills });
    expect(doc.strategy).toEqual({ id: 'sma-cross', version: '1.0.0', ref: 'sma-cross@1.0.0' });
    expect(doc.data).toMatchObject({ symbol: 'BTC/USDT', timeframe: '1h', from: '2022-03-01T00:00:00.000Z', to: '2022-04-01T00:00:00.000Z' });
    expect(out.backtestFills).toBeGreaterThan(0);
  });

  it('--no-save writes nothing; the text output names the file', async () => {
    const results = join(dir, 'results-2');
    const quiet = await runLiveCli(['parity', '--strategy', 'sma-cross', '--data', FILE, '--from', '2022-03-01', '--to', '2022-03-20', '--no-save', '--json'], { TRADELAB_RESULTS: results }, dir);
    expect(quiet.code).toBe(0);
    expect(JSON.parse(quiet.out)).toMatchObject({ checkId: null });
    expect(existsSync(results)).toBe(false);
    const text = await runLiveCli(['parity', '--strategy', 'sma-cross', '--data', FILE, '--from', '2022-03-01', '--to', '2022-03-20'], { TRADELAB_RESULTS: results }, dir);
    expect(text.out).toMatch(/Result: .*check-parity-sma-cross-btcusdt-1h\/parity\.json/);
    expect(readdirSync(results)).toHaveLength(1);
  });
});
