// `tradelab backtest` with order strategies on real candles: grid and range-grid on the 1m and 5m BTC/USDT files,
// a two-market grid (BTC and ETH 1h) sharing one budget, dca / twap / vwap smoke runs, a user's order strategy file;
// every run checked against the engine run directly (identity), and the run folder's files against each other.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { frameFromRows, type CandleFrame } from '../../engine/index.ts';
import { marketSpec, runOrderBacktest, type OrderSimResult } from '../../engine/orders/index.ts';
import { grid, rangeGrid, type ExecutionReport } from '../../engine/strategies-orders/index.ts';
import { expectRelClose } from '../../test-support/approx.ts';
import { runCli, tempDir } from '../../test-support/cli.ts';
import { BTC_1H, BTC_1M, BTC_5M, ETH_1H, sharedFile } from '../../test-support/shared-data.ts';
import type { OrderManifest } from './run-orders.ts';
import type { OrderRunStats } from './order-stats.ts';

interface Out { manifest: OrderManifest; stats: OrderRunStats }

const load = (file: string, symbol: string, timeframe: string): CandleFrame =>
  frameFromRows({ exchange: 'binance', symbol, timeframe }, JSON.parse(readFileSync(sharedFile(file), 'utf8')) as number[][]);

async function run(args: string[], dir = tempDir()): Promise<Out & { dir: string; runDir: string }> {
  const r = await runCli(['backtest', ...args, '--json'], dir);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout) as Out;
  expect(Object.keys(out)).toEqual(['manifest', 'stats']);
  return { ...out, dir, runDir: join(dir, 'results', out.manifest.runId) };
}

const csvRows = (path: string) => readFileSync(path, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));

/** The CLI's statistics equal the engine's totals for the same markets and range, run directly. */
function expectSameAsEngine(out: Out, e: OrderSimResult): void {
  const o = out.stats.orders;
  expectRelClose(out.stats.equityFinal, e.totals.finalEquity, 1e-12);
  expectRelClose(out.stats.equityFinal, e.totals.initialCapital + e.totals.realised + e.totals.unrealised - e.totals.fees, 1e-9);
  expectRelClose(o.realised, e.totals.realised, 1e-12);
  expectRelClose(o.unrealised, e.totals.unrealised, 1e-12, 1e-9);
  expectRelClose(o.fees, e.totals.fees, 1e-12);
  expectRelClose(out.stats.feesPaid, e.totals.fees, 1e-12);
  expect([o.fills, o.ordersPlaced, o.ordersCancelled, o.ordersRejected, o.closedLots, o.openLots, o.maxOpenOrders])
    .toEqual([e.totals.fills, e.totals.ordersPlaced, e.totals.ordersCancelled, e.totals.rejected, e.totals.closedLots, e.totals.openLots, e.totals.maxOpenOrders]);
  expect(out.stats.trades).toBe(e.totals.closedLots);
  expect(out.stats.bars).toBe(e.ts.length);
}

/** The run folder: every file present and consistent with stats.json. */
function expectFolder(out: Out & { runDir: string }, extra: string[] = []): void {
  const { runDir, stats } = out;
  const o = stats.orders;
  expect(readdirSync(runDir).sort()).toEqual([...['equity.arrow', 'fills.csv', 'hold-periods.csv', 'lots.csv', 'manifest.json', 'orders.csv',
    'rejected.csv', 'report.html', 'series.arrow', 'stats.json', 'trades.csv'], ...extra].sort());
  expect(JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8'))).toEqual(out.manifest);
  expect(JSON.parse(readFileSync(join(runDir, 'stats.json'), 'utf8'))).toEqual(stats);
  expect(csvRows(join(runDir, 'orders.csv')).length).toBe(o.ordersPlaced);
  expect(csvRows(join(runDir, 'fills.csv')).length).toBe(o.fills);
  expect(csvRows(join(runDir, 'rejected.csv')).length).toBe(o.ordersRejected);
  expect(csvRows(join(runDir, 'hold-periods.csv')).length).toBe(o.holdPeriods);
  const lots = csvRows(join(runDir, 'lots.csv'));
  expect(lots.filter((l) => l[2] === 'closed').length).toBe(o.closedLots);
  expect(lots.filter((l) => l[2] === 'open').length).toBe(o.openLots);
  // realised on lots.csv adds up to the total; unrealised of the open lots too
  expectRelClose(lots.reduce((s, l) => s + Number(l[14]), 0), o.realised, 1e-9, 1e-6);
  expectRelClose(lots.reduce((s, l) => s + Number(l[19] || 0), 0), o.unrealised, 1e-9, 1e-6);
  // trades.csv = closed lots as trades: their net P&L = realised - fees of the closed parts
  const trades = csvRows(join(runDir, 'trades.csv'));
  expect(trades.length).toBe(stats.trades);
  const netClosed = lots.filter((l) => l[2] === 'closed').reduce((s, l) => s + Number(l[15]), 0);
  expectRelClose(trades.reduce((s, t) => s + Number(t[12]), 0), netClosed, 1e-9, 1e-6);
  const series = tableFromIPC(readFileSync(join(runDir, 'series.arrow')));
  expect(series.numRows).toBe(stats.bars);
  const col = (n: string) => series.getChild(n)!.toArray() as Float64Array;
  expectRelClose(col('equity')[series.numRows - 1], stats.equityFinal, 1e-12);
  expect(Math.max(...col('openOrders'))).toBe(o.maxOpenOrders);
  expectRelClose(Math.max(...col('capitalInUse')), o.maxCapitalInUse, 1e-12);
  // the account identity at every step, from the written columns
  const eq = col('equity'), cash = col('cash'), inv = col('inventoryValue'), re = col('realised'), un = col('unrealised'), fe = col('fees');
  for (let s = 0; s < eq.length; s++) {
    expectRelClose(cash[s] + inv[s], eq[s], 1e-12, 1e-6);
    expectRelClose(eq[s], out.manifest.initialCash + re[s] + un[s] - fe[s], 1e-10, 1e-6);
  }
  const eqA = tableFromIPC(readFileSync(join(runDir, 'equity.arrow')));
  expect(eqA.numRows).toBe(stats.bars);
  const html = readFileSync(join(runDir, 'report.html'), 'utf8');
  expect(html).toContain('Plotly.newPlot');
  expect(html).toContain(out.manifest.strategy.ref);
  for (const sym of out.manifest.data.symbol.split(',')) expect(html).toContain(`${sym}: price, orders and fills`);
}

/**
 * The grid's capital cap: a buy is placed only while capital in use + open buys + it stay within pct % of the account
 * value at that moment, and a lot costs at most its order's notional, so capital in use never exceeds pct % of the
 * highest account value seen so far (it may exceed pct % of the CURRENT value after prices fall).
 */
function expectCapitalCap(runDir: string, pct: number): void {
  const series = tableFromIPC(readFileSync(join(runDir, 'series.arrow')));
  const eq = series.getChild('equity')!.toArray() as Float64Array, cap = series.getChild('capitalInUse')!.toArray() as Float64Array;
  let peak = 10_000, most = 0;
  for (let s = 0; s < eq.length; s++) {
    peak = Math.max(peak, eq[s]);
    expect(cap[s]).toBeLessThanOrEqual((pct / 100) * peak * (1 + 1e-9));
    most = Math.max(most, cap[s] / peak);
  }
  expect(most).toBeGreaterThan(0);
}

describe('grid and range-grid on real BTC/USDT 1m and 5m candles through the CLI', () => {
  const cases = [
    { tf: '1m', file: BTC_1M, from: '2023-03-20', to: '2023-04-03' }, // crosses the 80-minute outage of 24 Mar 2023
    { tf: '5m', file: BTC_5M, from: '2021-04-01', to: '2021-06-30' }, // the May 2021 crash: HOLD periods
  ];
  for (const c of cases) {
    it(`grid on ${c.tf}: same as the engine, run folder consistent, series with AnchorHigh / GridTop / hold`, async () => {
      const out = await run(['--strategy', 'grid', '--data', sharedFile(c.file), '--exchange', 'binance', '--from', c.from, '--to', c.to]);
      const frame = load(c.file, 'BTC/USDT', c.tf);
      const e = runOrderBacktest(grid, [{ frame, spec: marketSpec('BTC/USDT') }], {}, {
        initialCash: 10_000, startTs: Date.parse(`${c.from}T00:00:00Z`), endTs: Date.parse(`${c.to}T00:00:00Z`) + 1,
      });
      expectSameAsEngine(out, e);
      expectFolder(out);
      const m = out.manifest;
      expect(m.strategy.ref).toBe('grid@1.0.0');
      expect(m.marketSpecs).toEqual([{ symbol: 'BTC/USDT', priceTick: 0.01, amountStep: 0.00001, minAmount: 0.00001, minNotional: 5, makerFee: 0.001, takerFee: 0.001 }]);
      expect(m.fillModel).toMatchObject({ name: 'order-path', intrabarPath: 'nearest-extreme-first', fillOn: 'through', slippageBps: 0, maxVolumeShare: null });
      expect(m.data.markets[0].contentHash).toMatch(/^[0-9a-f]{64}$/);
      expect(m.data.from).toBe(`${c.from}T00:00:00.000Z`);
      expect(m.data.to).toBe(`${c.to}T00:00:00.000Z`);
      if (c.tf === '1m') expect(m.data.gaps).toEqual({ count: 1, missingBars: 80 });
      const o = out.stats.orders;
      expect(o.fills).toBeGreaterThan(100);
      expectCapitalCap(out.runDir, 70);
      expect(o.maxOpenOrders).toBeLessThanOrEqual(490);
      const series = tableFromIPC(readFileSync(join(out.runDir, 'series.arrow')));
      const names = series.schema.fields.map((f) => f.name);
      for (const n of ['ts', 'equity', 'cash', 'capitalInUse', 'openOrders', 'realised', 'unrealised', 'fees', 'BTC/USDT.close', 'BTC/USDT.anchorHigh', 'BTC/USDT.gridTop']) expect(names).toContain(n);
      // GridTop = AnchorHigh (no rebase buffer by default), and AnchorHigh never falls
      const ah = series.getChild('BTC/USDT.anchorHigh')!.toArray() as Float64Array, gt = series.getChild('BTC/USDT.gridTop')!.toArray() as Float64Array;
      for (let s = 1; s < ah.length; s++) { expect(ah[s]).toBeGreaterThanOrEqual(ah[s - 1]); expect(gt[s]).toBe(ah[s]); }
      if (c.tf === '5m') {
        expect(o.holdPeriods).toBeGreaterThan(0);
        expect(o.holdTimeDays).toBeGreaterThan(0);
        expect(names).toContain('BTC/USDT.hold');
        const hold = series.getChild('BTC/USDT.hold')!.toArray() as Float64Array;
        let inHold = 0;
        for (const v of hold) if (v === 1) inHold++;
        // HOLD time from the periods agrees with the steps flagged in the series (5-minute steps)
        expectRelClose(inHold * 5 / 1440, o.markets[0].holdTimeDays, 0.02);
      }
    });
    it(`range-grid on ${c.tf}: same as the engine, grid cycles in stats and cycles.csv`, async () => {
      const out = await run(['--strategy', 'range-grid', '--data', sharedFile(c.file), '--from', c.from, '--to', c.to, '--param', 'gridCount=15']);
      const frame = load(c.file, 'BTC/USDT', c.tf);
      const e = runOrderBacktest(rangeGrid, [{ frame, spec: marketSpec('BTC/USDT') }], { gridCount: 15 }, {
        initialCash: 10_000, startTs: Date.parse(`${c.from}T00:00:00Z`), endTs: Date.parse(`${c.to}T00:00:00Z`) + 1,
      });
      expectSameAsEngine(out, e);
      expectFolder(out, ['cycles.csv']);
      const cyc = out.stats.orders.gridCycles!;
      expect(cyc.completed).toBeGreaterThan(0);
      const rows = csvRows(join(out.runDir, 'cycles.csv'));
      expect(rows.length).toBe(cyc.completed);
      expectRelClose(rows.reduce((s, r) => s + Number(r[9]), 0), cyc.profit, 1e-9);
      expectRelClose(cyc.avgProfit, cyc.profit / cyc.completed, 1e-12);
    });
  }
});

describe('several markets share one budget in one run', () => {
  it('grid over BTC/USDT and ETH/USDT 1h: one run folder, per-market data and specs, equal to the engine run over both', async () => {
    const out = await run(['--strategy', 'grid', '--data', sharedFile(BTC_1H), '--data', sharedFile(ETH_1H), '--exchange', 'binance',
      '--from', '2021-01-01', '--to', '2021-06-30', '--maker-fee', '0.0008']);
    const m = out.manifest;
    expect(readdirSync(join(out.dir, 'results'))).toEqual([m.runId]); // one run, not one per market
    expect(m.data.symbol).toBe('BTC/USDT,ETH/USDT');
    expect(m.data.markets.map((d) => d.symbol)).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(m.marketSpecs.map((s) => [s.symbol, s.makerFee, s.takerFee])).toEqual([['BTC/USDT', 0.0008, 0.001], ['ETH/USDT', 0.0008, 0.001]]);
    expect(m.fees.maker).toEqual({ 'BTC/USDT': 0.0008, 'ETH/USDT': 0.0008 });
    const frames = [load(BTC_1H, 'BTC/USDT', '1h'), load(ETH_1H, 'ETH/USDT', '1h')];
    const e = runOrderBacktest(grid, frames.map((frame) => ({ frame, spec: marketSpec(frame.symbol, { makerFee: 0.0008 }) })), {}, {
      initialCash: 10_000, startTs: Date.parse('2021-01-01T00:00:00Z'), endTs: Date.parse('2021-06-30T00:00:00Z') + 1,
    });
    expectSameAsEngine(out, e);
    expectFolder(out);
    const o = out.stats.orders;
    expect(o.markets.map((x) => x.symbol)).toEqual(['BTC/USDT', 'ETH/USDT']);
    for (const x of o.markets) expect(x.fills).toBeGreaterThan(0);
    expect(o.markets[0].fills + o.markets[1].fills).toBe(o.fills);
    expectRelClose(o.markets[0].realised + o.markets[1].realised, o.realised, 1e-12);
    // one budget: the capital cap (70 % of the account) holds for both markets together
    expectCapitalCap(out.runDir, 70);
    // and it binds: each market alone with the same cash uses more capital than its share in the shared run
    const alone = runOrderBacktest(grid, [{ frame: frames[1], spec: marketSpec('ETH/USDT', { makerFee: 0.0008 }) }], {}, {
      initialCash: 10_000, startTs: Date.parse('2021-01-01T00:00:00Z'), endTs: Date.parse('2021-06-30T00:00:00Z') + 1,
    });
    expect(alone.totals.fills).not.toBe(o.markets[1].fills);
    const series = tableFromIPC(readFileSync(join(out.runDir, 'series.arrow')));
    const names = series.schema.fields.map((f) => f.name);
    for (const n of ['BTC/USDT.close', 'ETH/USDT.close', 'BTC/USDT.anchorHigh', 'ETH/USDT.gridTop']) expect(names).toContain(n);
  });
});

describe('--symbols over cached candles', () => {
  it('imports BTC and ETH 1h, then one grid run over both by symbol equals the run over the files', async () => {
    const dir = tempDir();
    for (const f of [BTC_1H, ETH_1H]) expect((await runCli(['data', 'import', sharedFile(f), '--exchange', 'binance'], dir)).code).toBe(0);
    const range = ['--from', '2021-02-01', '--to', '2021-03-01'];
    const cached = await run(['--strategy', 'grid', '--symbols', 'BTC/USDT,ETH/USDT', '--exchange', 'binance', '--timeframe', '1h', ...range], dir);
    expect(cached.manifest.data.markets.map((d) => [d.symbol, d.source.kind])).toEqual([['BTC/USDT', 'cache'], ['ETH/USDT', 'cache']]);
    const files = await run(['--strategy', 'grid', '--data', sharedFile(BTC_1H), '--data', sharedFile(ETH_1H), '--exchange', 'binance', ...range], dir);
    expect(cached.stats).toEqual(files.stats);
    expect(cached.manifest.data.contentHash).toBe(files.manifest.data.contentHash);
  });
});

describe('dca, twap and vwap smoke runs: their extras agree with the fills', () => {
  const data = () => ['--data', sharedFile(BTC_5M), '--from', '2021-03-01', '--to', '2021-03-15'];
  it('dca: one buy a day, every fill in fills.csv, trades = take-profit closes', async () => {
    const out = await run(['--strategy', 'dca', ...data(), '--param', 'intervalHours=24', '--param', 'takeProfitPct=5']);
    const o = out.stats.orders;
    const fills = csvRows(join(out.runDir, 'fills.csv'));
    const buys = fills.filter((f) => f[6] === 'buy');
    expect(buys.length).toBe(o.buyFills);
    expect(buys.length).toBeGreaterThanOrEqual(14);
    expect(buys.length).toBeLessThanOrEqual(16);
    for (const b of buys) expectRelClose(Number(b[8]) * Number(b[9]), 100, 0.01); // ~100 quote each (amount rounds down)
    expect(o.ordersFilled + o.ordersOpenAtEnd).toBe(o.ordersPlaced); // market orders: filled at the next open, or pending at the end
    expect(o.closedLots).toBe(out.stats.trades);
    expectFolder(out);
  });
  for (const algo of ['twap', 'vwap'] as const) {
    it(`${algo}: the parent fills completely; execution quality consistent with fills.csv`, async () => {
      const out = await run(['--strategy', algo, ...data(), '--param', 'quantity=0.1', '--param', 'durationMinutes=240', '--param', 'slices=8', '--param', `startTs=${Date.parse('2021-03-10T00:00:00Z')}`]);
      const x = out.stats.orders.execution as ExecutionReport[];
      expect(x.length).toBe(1);
      const fills = csvRows(join(out.runDir, 'fills.csv'));
      const amount = fills.reduce((s, f) => s + Number(f[9]), 0);
      const notional = fills.reduce((s, f) => s + Number(f[8]) * Number(f[9]), 0);
      expectRelClose(x[0].filled, amount, 1e-12);
      expectRelClose(x[0].avgFillPrice, notional / amount, 1e-12);
      expectRelClose(x[0].completion, 1, 1e-3); // amounts round down to the 0.00001 step
      expect(x[0].childOrders).toBe(algo === 'twap' ? 8 : fills.length);
      expect(out.stats.orders.ordersRejected).toBe(0);
      for (const f of fills) {
        const t = Date.parse(f[1]);
        expect(t).toBeGreaterThanOrEqual(x[0].startTs);
        expect(t).toBeLessThan(x[0].endTs);
      }
      // slippage vs the period's TWAP, from the numbers in the report
      expectRelClose(x[0].slippageVsTwapBps, (x[0].avgFillPrice / x[0].periodTwap - 1) * 10_000, 1e-9);
      expectFolder(out);
    });
  }
});

describe('a user order strategy file and the strategy list', () => {
  it('--strategy ./file.ts of kind orders runs through the order path', async () => {
    const out = await run(['--strategy', './research/orders/fixtures/ladder.ts', '--data', sharedFile(BTC_1H), '--from', '2021-01-01', '--to', '2021-03-01']);
    expect(out.manifest.strategy).toMatchObject({ ref: 'ladder@1.0.0', kind: 'orders', source: { kind: 'file' } });
    expect(out.stats.trades).toBeGreaterThan(0);
    expectFolder(out);
  });
  it('`tradelab strategies` lists the order strategies', async () => {
    const r = await runCli(['strategies', '--json'], tempDir());
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { id: string; kind: string }[];
    for (const id of ['grid', 'range-grid', 'dca', 'twap', 'vwap']) expect(list.find((s) => s.id === id)?.kind).toBe('orders');
    expect(list.find((s) => s.id === 'sma-cross')?.kind).toBe('signal');
  });
  it('the terminal summary shows the order extras and the report path', async () => {
    const r = await runCli(['backtest', '--strategy', 'grid', '--data', sharedFile(BTC_1H), '--from', '2021-01-01', '--to', '2021-02-01'], tempDir());
    expect(r.code).toBe(0);
    for (const s of ['grid@1.0.0', 'one shared budget', 'Orders placed / filled / cancelled / rejected', 'Max capital in use', 'report.html']) expect(r.stdout).toContain(s);
  });
});
