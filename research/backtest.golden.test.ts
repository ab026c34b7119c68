// Golden test: one real-data run (Binance BTC/USDT 1h, 2019-2021, sma-cross 20/60, long and short, fees, slippage,
// lot rounding, a minimum notional) with every statistic pinned to a relative 1e-9 and a sha256 of all its trades.
// A change to any number here is a change to a claim about money: it must be explained in the commit that makes it.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runBacktest, type BacktestRun } from './backtest.ts';
import { tradesCsv } from './results/write-run.ts';
import { BTC_1H, sharedFile } from '../test-support/shared-data.ts';
import { expectRelClose } from '../test-support/approx.ts';

const GOLDEN = {
  start: 1546300800000, end: 1640991600000, durationDays: 1096, bars: 26245,
  equityStart: 10000, equityFinal: 2770.8203349267287, equityPeak: 15568.000719660875,
  returnPct: -72.2917966507327, buyHoldReturnPct: 1148.6911107928986, cagrPct: -34.781273876470074,
  annualReturnPct: -18.16231127531977, annualVolatilityPct: 70.3052445265141,
  sharpe: -0.2583350843544858, sortino: -0.3683964724296293, calmar: -0.42215409826633055,
  maxDrawdownPct: -82.38999459985605, maxDrawdownDurationBars: 22017, maxDrawdownDurationDays: 919.1666666666666,
  avgDrawdownPct: -8.352146500572333, exposurePct: 99.8780720137169, trades: 510, winRatePct: 29.215686274509807,
  bestTradePct: 31.503760602405567, worstTradePct: -15.340511408884055, avgTradePct: -0.10975222702903926,
  profitFactor: 0.9118541225254652, expectancy: -13.905716555509057, sqn: -0.6418606783181057,
  kelly: -0.028241823325369286, feesPaid: 9119.244847151922, openTrades: 1, skippedOrders: 0,
} as const;
const TRADES_SHA256 = 'f244268b7b5dae0bf036552aa11dfa703f624df6867ebdfe045090b31e2db5c3';
const CONTENT_HASH = '3eca81de0f822dc6ac5978079ddbba7776b30db25e284088f3f306adbfe18301';

async function goldenRun(): Promise<BacktestRun> {
  return runBacktest({
    strategy: 'sma-cross', params: { fast: 20, slow: 60 }, data: { file: sharedFile(BTC_1H) },
    from: '2019-01-01', to: '2021-12-31T23:00',
    fill: { initialCash: 10_000, feeRate: 0.001, slippageBps: 5, lotSize: 0.00001, minNotional: 10, fraction: 1, allowShort: true, closeAtEnd: false },
    gaps: 'report',
  }, { cwd: process.cwd(), cacheDir: '/nonexistent', resultsDir: '/nonexistent', now: () => 0, code: { package: 'test', commit: null, dirty: null }, write: false });
}

describe('golden: sma-cross 20/60 on Binance BTC/USDT 1h 2019-2021', () => {
  it('pins every statistic, the trades and the data', async () => {
    const run = await goldenRun();
    expect(Object.keys(run.stats).sort()).toEqual(Object.keys(GOLDEN).sort());
    for (const [k, v] of Object.entries(GOLDEN)) {
      try { expectRelClose(run.stats[k as keyof typeof GOLDEN], v, 1e-9); } catch (e) { throw new Error(`stat ${k}: ${(e as Error).message}`); }
    }
    expect(createHash('sha256').update(tradesCsv(run.sim.trades)).digest('hex')).toBe(TRADES_SHA256);
    expect(run.manifest.data.contentHash).toBe(CONTENT_HASH);
    expect(run.manifest.data.gaps.count).toBe(19); // outages inside 2019-2021 (of the file's 27)
  });

  it('agrees with quantities computed independently of the simulator', async () => {
    const run = await goldenRun();
    const { sim, stats } = run;
    // equity = initial cash + every closed trade's net P&L + the open position's unrealised P&L (entry fee included)
    const closed = sim.trades.reduce((s, t) => s + t.pnl, 0);
    expectRelClose(stats.equityFinal, 10_000 + closed + (sim.openPosition?.unrealizedPnl ?? 0), 1e-9);
    // fees: every fill pays feeRate × notional
    const fees = sim.fills.reduce((s, f) => s + f.fee, 0);
    expectRelClose(stats.feesPaid, fees, 1e-12);
    for (const f of sim.fills) expectRelClose(f.fee, 0.001 * f.price * f.size, 1e-12);
    // every fill is at the next bar's open with 5 bps of adverse slippage, and every size is a whole lot
    const rows = JSON.parse(readFileSync(sharedFile(BTC_1H), 'utf8')) as number[][];
    const openAt = new Map(rows.map((r) => [r[0], r[1]]));
    for (const f of sim.fills) {
      const o = openAt.get(f.ts)!;
      expectRelClose(f.price, f.side === 'buy' ? o * 1.0005 : o * 0.9995, 1e-12);
      expect(Math.abs(f.size / 0.00001 - Math.round(f.size / 0.00001))).toBeLessThan(1e-6);
    }
    // buy & hold from the raw file: first measured open to last measured close
    const first = rows.find((r) => r[0] === GOLDEN.start)!, last = rows.find((r) => r[0] === GOLDEN.end)!;
    expectRelClose(stats.buyHoldReturnPct, (last[4] / first[1] - 1) * 100, 1e-12);
    // win rate counts trades with positive net P&L
    expectRelClose(stats.winRatePct, (100 * sim.trades.filter((t) => t.pnl > 0).length) / sim.trades.length, 1e-12);
  });
});
