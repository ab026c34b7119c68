// Loading one year of 1m candles (525,600 bars): from the Parquet cache vs parsing a freqtrade JSON file.
// Target: load.cache / load.json <= 0.2. Files are written once, into a temp dir, when the factory runs.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineBench } from '../bench/harness.ts';
import { frameFromRows } from '../engine/index.ts';
import { loadRange, writeCandles } from './cache/index.ts';

export default defineBench(async (ctx) => {
  const frame = { ...ctx.frame1m(), exchange: 'bench' };
  const dir = mkdtempSync(join(tmpdir(), 'tradelab-bench-cache-'));
  await writeCandles(dir, frame);
  const rows = new Array<number[]>(frame.length);
  for (let i = 0; i < frame.length; i++) rows[i] = [frame.ts[i], frame.open[i], frame.high[i], frame.low[i], frame.close[i], frame.volume[i]];
  const jsonPath = join(dir, 'BTC_USDT-1m.json');
  writeFileSync(jsonPath, JSON.stringify(rows));
  const labels = { exchange: 'bench', symbol: frame.symbol, timeframe: '1m' };
  let sink = 0;
  return [
    {
      name: 'load.json',
      bars: frame.length,
      run: () => {
        const f = frameFromRows(labels, JSON.parse(readFileSync(jsonPath, 'utf8')) as number[][]);
        sink += f.length;
        return sink;
      },
    },
    {
      name: 'load.cache',
      bars: frame.length,
      baseline: 'load.json',
      run: async () => {
        const f = await loadRange(dir, labels);
        if (f.length !== frame.length) throw new Error(`loaded ${f.length} bars, expected ${frame.length}`);
        sink += f.length;
        return sink;
      },
      teardown: () => rmSync(dir, { recursive: true, force: true }),
    },
  ];
});
