// Per-bot fiscal log files: one trades and one gains file per UTC year under logs/<bot-id>/, gains identical to the tax
// export, rewritten only from the first year new fills touch, caught up after a restart, and repaired when deleted.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectRelClose } from '../../test-support/approx.ts';
import { openMemoryStateStore, type StateStore } from '../state/store.ts';
import { FISCAL_TRADES_COLUMNS, FiscalLogWriter } from './fiscal-log.ts';
import { taxCsv, taxReport } from './reports.ts';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

const DEC_2023 = Date.UTC(2023, 11, 20);
const JAN_2024 = Date.UTC(2024, 0, 10);
const JUN_2025 = Date.UTC(2025, 5, 1);

function trade(store: StateStore, botId: string, clientId: string, side: 'buy' | 'sell', price: number, amount: number, ts: number, fee: number, symbol = 'BTC/USDT'): void {
  store.orders.recordOrderIntent({ botId, clientId, symbol, side, type: 'limit', price, amount, ts });
  store.orders.markOrderPlaced(clientId, `x-${clientId}`, ts);
  store.orders.applyFill({ botId, clientId, tradeId: `t-${clientId}`, ts: ts + 1000, price, amount, fee });
}

function setup(): { store: StateStore; logs: string; writer: FiscalLogWriter } {
  const store = openMemoryStateStore();
  store.bots.create({ name: 'alpha', strategy: 'sma-cross@1.0.0', symbols: ['BTC/USDT'], exchange: 'binance', mode: 'paper', budget: 10_000 }, 'test', DEC_2023);
  store.bots.create({ name: 'beta', strategy: 'grid@1.0.0', symbols: ['ETH/USDT'], exchange: 'binance', mode: 'replay', budget: 5_000 }, 'test', DEC_2023);
  const logs = mkdtempSync(join(tmpdir(), 'tl-fiscal-'));
  dirs.push(logs);
  return { store, logs, writer: new FiscalLogWriter(store.db, logs, () => JUN_2025) };
}

const read = (f: string) => readFileSync(f, 'utf8');

describe('fiscal log files', () => {
  it('writes trades and FIFO gains per bot and UTC year; gains equal the tax export of that bot and year', () => {
    const { store, logs, writer } = setup();
    trade(store, 'alpha', 'a1', 'buy', 100, 2, DEC_2023, 0.2);
    trade(store, 'alpha', 'a2', 'sell', 130, 1.5, JAN_2024, 0.195);
    trade(store, 'beta', 'b1', 'buy', 2000, 1, JAN_2024, 2, 'ETH/USDT');
    const written = writer.sync();
    expect(written.map((f) => f.slice(logs.length + 1)).sort()).toEqual([
      'alpha/fiscal-2023-gains.csv', 'alpha/fiscal-2023-trades.csv', 'alpha/fiscal-2024-gains.csv', 'alpha/fiscal-2024-trades.csv',
      'beta/fiscal-2024-gains.csv', 'beta/fiscal-2024-trades.csv',
    ]);
    const t23 = read(join(logs, 'alpha', 'fiscal-2023-trades.csv')).trim().split('\n');
    expect(t23[0]).toBe(FISCAL_TRADES_COLUMNS.join(','));
    expect(t23[1]).toBe(`2023-12-20T00:00:01.000Z,${DEC_2023 + 1000},BTC/USDT,BTC,USDT,buy,acquisition,2,100,200,0.2,USDT,0,a1,t-a1,`);
    expect(t23).toHaveLength(2);
    const t24 = read(join(logs, 'alpha', 'fiscal-2024-trades.csv')).trim().split('\n');
    expect(t24[1]).toBe(`2024-01-10T00:00:01.000Z,${JAN_2024 + 1000},BTC/USDT,BTC,USDT,sell,disposal,1.5,130,195,0.195,USDT,0,a2,t-a2,`);
    // 2023 had no sale: a header only. 2024: the sale of 1.5 of the December lot, with its fees.
    expect(read(join(logs, 'alpha', 'fiscal-2023-gains.csv'))).toBe(taxCsv([]));
    const g24 = read(join(logs, 'alpha', 'fiscal-2024-gains.csv'));
    expect(g24).toBe(taxCsv(taxReport(store.db, { botId: 'alpha', from: Date.UTC(2024, 0, 1), to: Date.UTC(2025, 0, 1) }).rows));
    const row = g24.trim().split('\n')[1].split(',');
    // token, amount, acquired, sold, cost basis 150 + 0.15 fee share, proceeds 195 − 0.195, fees, gain
    expect(row.slice(0, 4)).toEqual(['BTC', '1.5', '2023-12-20T00:00:01.000Z', '2024-01-10T00:00:01.000Z']);
    expectRelClose(Number(row[4]), 150.15, 1e-12);
    expectRelClose(Number(row[5]), 194.805, 1e-12);
    expectRelClose(Number(row[7]), 44.655, 1e-12);
    const m = JSON.parse(read(join(logs, 'alpha', 'fiscal.json')));
    expect(m).toMatchObject({ botId: 'alpha', method: 'FIFO', fills: 2, years: [2023, 2024], updatedAt: '2025-06-01T00:00:00.000Z' });
    // Nothing new: nothing written.
    expect(writer.sync()).toEqual([]);
  });

  it('rotates by year: a new fill rewrites only its year (and later ones); a late fill of an earlier year rewrites from there', () => {
    const { store, logs, writer } = setup();
    trade(store, 'alpha', 'a1', 'buy', 100, 2, DEC_2023, 0.2);
    trade(store, 'alpha', 'a2', 'sell', 130, 1, JAN_2024, 0.13);
    writer.sync();
    const f23 = join(logs, 'alpha', 'fiscal-2023-trades.csv');
    const old = new Date(Date.UTC(2020, 0, 1));
    utimesSync(f23, old, old);
    trade(store, 'alpha', 'a3', 'sell', 90, 0.5, JAN_2024 + 86_400_000, 0.045);
    expect(writer.sync().map((f) => f.slice(logs.length + 1))).toEqual(['alpha/fiscal-2024-trades.csv', 'alpha/fiscal-2024-gains.csv']);
    expect(statSync(f23).mtimeMs).toBe(old.getTime());
    expect(read(join(logs, 'alpha', 'fiscal-2024-trades.csv')).trim().split('\n')).toHaveLength(3);
    // A new year: new files; the closed years are not touched.
    trade(store, 'alpha', 'a4', 'sell', 150, 0.5, JUN_2025, 0.075);
    expect(writer.sync().map((f) => f.slice(logs.length + 1))).toEqual(['alpha/fiscal-2025-trades.csv', 'alpha/fiscal-2025-gains.csv']);
    expect(readdirSync(join(logs, 'alpha')).sort()).toEqual([
      'fiscal-2023-gains.csv', 'fiscal-2023-trades.csv', 'fiscal-2024-gains.csv', 'fiscal-2024-trades.csv', 'fiscal-2025-gains.csv', 'fiscal-2025-trades.csv', 'fiscal.json',
    ]);
    // A fill reconciled late with a 2023 time: 2023 and every later year are rewritten (later FIFO matches may move).
    trade(store, 'alpha', 'a5', 'buy', 95, 1, DEC_2023 + 3_600_000, 0.095);
    expect(writer.sync().map((f) => f.slice(logs.length + 1))).toEqual([
      'alpha/fiscal-2023-trades.csv', 'alpha/fiscal-2023-gains.csv', 'alpha/fiscal-2024-trades.csv', 'alpha/fiscal-2024-gains.csv',
      'alpha/fiscal-2025-trades.csv', 'alpha/fiscal-2025-gains.csv',
    ]);
    for (const y of [2023, 2024, 2025]) {
      expect(read(join(logs, 'alpha', `fiscal-${y}-gains.csv`))).toBe(taxCsv(taxReport(store.db, { botId: 'alpha', from: Date.UTC(y, 0, 1), to: Date.UTC(y + 1, 0, 1) }).rows));
    }
  });

  it('a new writer (a restart) catches up with fills written meanwhile, and rewrites files that were deleted', () => {
    const { store, logs, writer } = setup();
    trade(store, 'alpha', 'a1', 'buy', 100, 2, DEC_2023, 0.2);
    writer.sync();
    trade(store, 'alpha', 'a2', 'sell', 120, 2, JAN_2024, 0.24);
    const restarted = new FiscalLogWriter(store.db, logs, () => JUN_2025);
    expect(restarted.sync().map((f) => f.slice(logs.length + 1))).toEqual(['alpha/fiscal-2024-trades.csv', 'alpha/fiscal-2024-gains.csv']);
    const before = read(join(logs, 'alpha', 'fiscal-2023-trades.csv'));
    rmSync(join(logs, 'alpha', 'fiscal-2023-trades.csv'));
    const again = new FiscalLogWriter(store.db, logs, () => JUN_2025);
    expect(again.sync()).toHaveLength(4);
    expect(read(join(logs, 'alpha', 'fiscal-2023-trades.csv'))).toBe(before);
    expect(existsSync(join(logs, 'beta'))).toBe(false); // a bot without fills has no folder
  });
});
