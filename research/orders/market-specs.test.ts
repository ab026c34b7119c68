// Market specs and fill-model flags of order runs: precedence (defaults < file "*" < file[symbol] < flags), every
// bad value a usage error (exit 2) naming the flag or field and what is allowed, and the specs applied per symbol.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTradelabError } from '../../engine/index.ts';
import { runCli, tempDir } from '../../test-support/cli.ts';
import { BTC_1H, ETH_1H, sharedFile } from '../../test-support/shared-data.ts';
import { readSpecFile, resolveMarketSpec, specFromFlags } from './market-specs.ts';
import type { OrderManifest } from './run-orders.ts';
import type { OrderRunStats } from './order-stats.ts';

const grid = () => ['backtest', '--strategy', 'grid', '--data', sharedFile(BTC_1H), '--from', '2021-01-01', '--to', '2021-02-01'];

function specFile(dir: string, body: unknown): string {
  const p = join(dir, 'spec.json');
  writeFileSync(p, typeof body === 'string' ? body : JSON.stringify(body));
  return p;
}

function usage(fn: () => unknown): string {
  try { fn(); } catch (e) {
    expect(isTradelabError(e) && e.family).toBe('usage');
    return (e as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('market specs: precedence and validation', () => {
  it('defaults < file "*" < file[symbol] < flags', () => {
    const dir = tempDir();
    const file = readSpecFile(specFile(dir, { '*': { minNotional: 10, makerFee: 0.0005 }, 'ETH/USDT': { priceTick: 0.1, makerFee: 0.0002 } }), dir);
    expect(resolveMarketSpec('BTC/USDT', {}, file)).toEqual({ symbol: 'BTC/USDT', priceTick: 0.01, amountStep: 0.00001, minAmount: 0.00001, minNotional: 10, makerFee: 0.0005, takerFee: 0.001 });
    expect(resolveMarketSpec('ETH/USDT', {}, file)).toMatchObject({ priceTick: 0.1, makerFee: 0.0002, minNotional: 10 });
    expect(resolveMarketSpec('ETH/USDT', { makerFee: 0, priceTick: 1 }, file)).toMatchObject({ priceTick: 1, makerFee: 0, minNotional: 10 });
    expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
  it('flag values: negative, non-finite, fees >= 1', () => {
    expect(usage(() => specFromFlags({ priceTick: -0.01 }))).toContain('--price-tick=-0.01 is not allowed; expected a finite number >= 0');
    expect(usage(() => specFromFlags({ minNotional: NaN }))).toContain('--min-notional=NaN');
    expect(usage(() => specFromFlags({ takerFee: 1 }))).toContain('--taker-fee=1 is not allowed; expected a rate in [0, 1)');
    expect(specFromFlags({ priceTick: 0, makerFee: undefined })).toEqual({ priceTick: 0 });
  });
  it('file problems name the file, the symbol and the field', () => {
    const dir = tempDir();
    expect(usage(() => readSpecFile(join(dir, 'nope.json'), dir))).toContain('--market-spec file not found');
    expect(usage(() => readSpecFile(specFile(dir, '{ "BTC/USDT": '), dir))).toContain('is not valid JSON');
    expect(usage(() => readSpecFile(specFile(dir, [1, 2]), dir))).toContain('must be a JSON object keyed by symbol');
    expect(usage(() => readSpecFile(specFile(dir, { 'BTC/USDT': 5 }), dir))).toContain('the entry for "BTC/USDT" must be an object');
    const unknown = usage(() => readSpecFile(specFile(dir, { 'BTC/USDT': { makerfee: 0.001 } }), dir));
    expect(unknown).toContain('unknown field "makerfee"');
    expect(unknown).toContain("Did you mean 'makerFee'");
    expect(usage(() => readSpecFile(specFile(dir, { 'BTC/USDT': { amountStep: -1 } }), dir))).toContain('"BTC/USDT".amountStep=-1 is not allowed');
    expect(usage(() => readSpecFile(specFile(dir, { '*': { makerFee: '0.1' } }), dir))).toContain('"*".makerFee="0.1" is not allowed');
  });
});

describe('tradelab backtest with an order strategy: bad usage exits 2', () => {
  const cases: [string, string[], string[]][] = [
    ['a negative price tick', ['--price-tick', '-1'], ['--price-tick=-1', 'finite number >= 0']],
    ['a fee of 150 %', ['--maker-fee', '1.5'], ['--maker-fee=1.5', 'rate in [0, 1)']],
    ['a negative --min-notional', ['--min-notional', '-5'], ['--min-notional=-5']],
    ['an unknown intrabar path', ['--intrabar-path', 'random'], ['intrabar-path', 'nearest-extreme-first', 'high-first', 'low-first']],
    ['an unknown fill-on', ['--fill-on', 'near'], ['fill-on', 'through', 'touch']],
    ['a volume share above 1', ['--max-volume-share', '2'], ['--max-volume-share=2', '(0, 1]']],
    ['zero cash', ['--cash', '0'], ['--cash=0', '> 0']],
    ['a signal-only flag', ['--fraction', '0.5'], ['--fraction apply to signal strategies', "'grid'"]],
    ['a missing spec file', ['--market-spec', '/nonexistent/spec.json'], ['--market-spec file not found', '/nonexistent/spec.json']],
  ];
  for (const [name, args, needles] of cases) {
    it(name, async () => {
      const r = await runCli([...grid(), ...args], tempDir());
      expect(r.code).toBe(2);
      for (const n of needles) expect(r.stderr).toContain(n);
    });
  }
  it('a spec file with an unknown field', async () => {
    const dir = tempDir();
    const r = await runCli([...grid(), '--market-spec', specFile(dir, { 'BTC/USDT': { tick: 0.01 } })], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown field "tick"');
    expect(r.stderr).toContain('priceTick');
  });
  it('order flags given to a signal strategy', async () => {
    const r = await runCli(['backtest', '--strategy', 'sma-cross', '--data', sharedFile(BTC_1H), '--price-tick', '0.1', '--fill-on', 'touch'], tempDir());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--price-tick, --fill-on apply to order strategies');
  });
});

describe('specs and fill options are applied per symbol and recorded', () => {
  it('a per-symbol minimum notional rejects (and counts) every ETH buy but no BTC buy', async () => {
    const dir = tempDir();
    const spec = specFile(dir, { 'ETH/USDT': { minNotional: 1_000_000 }, '*': { takerFee: 0.002 } });
    const r = await runCli(['backtest', '--strategy', 'grid', '--data', sharedFile(BTC_1H), '--data', sharedFile(ETH_1H), '--from', '2021-01-01', '--to', '2021-01-20',
      '--market-spec', spec, '--intrabar-path', 'high-first', '--fill-on', 'touch', '--max-volume-share', '0.5', '--min-notional', '1', '--json'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { manifest: OrderManifest; stats: OrderRunStats };
    const m = out.manifest;
    // --min-notional (a flag) overrides the file for every symbol; the file's '*' applies to both
    expect(m.marketSpecs.map((s) => [s.symbol, s.minNotional, s.takerFee])).toEqual([['BTC/USDT', 1, 0.002], ['ETH/USDT', 1, 0.002]]);
    expect(m.marketSpecSource.file?.path).toBe(spec);
    expect(m.marketSpecSource.flags).toEqual({ minNotional: 1 });
    expect(m.fillModel).toMatchObject({ intrabarPath: 'high-first', fillOn: 'touch', maxVolumeShare: 0.5 });

    // without the flag, the file's ETH minimum applies: every ETH buy is rejected below the minimum notional
    const r2 = await runCli(['backtest', '--strategy', 'grid', '--data', sharedFile(BTC_1H), '--data', sharedFile(ETH_1H), '--from', '2021-01-01', '--to', '2021-01-20',
      '--market-spec', spec, '--json'], dir);
    expect(r2.code).toBe(0);
    const o2 = JSON.parse(r2.stdout) as { manifest: OrderManifest; stats: OrderRunStats };
    const x = o2.stats.orders;
    expect(x.ordersRejected).toBeGreaterThan(0);
    expect(x.rejectReasons).toEqual({ 'below-min-notional': x.ordersRejected });
    expect(o2.stats.skippedOrders).toBe(x.ordersRejected);
    expect(x.markets.find((k) => k.symbol === 'ETH/USDT')!.fills).toBe(0);
    expect(x.markets.find((k) => k.symbol === 'BTC/USDT')!.fills).toBeGreaterThan(0);
    const rejected = readFileSync(join(dir, 'results', o2.manifest.runId, 'rejected.csv'), 'utf8').trim().split('\n').slice(1);
    expect(rejected.length).toBe(x.ordersRejected);
    for (const line of rejected) {
      expect(line).toContain('ETH/USDT');
      expect(line.endsWith('below-min-notional')).toBe(true);
    }
  });
});
