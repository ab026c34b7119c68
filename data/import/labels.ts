/**
 * Labels of an imported file: given by the user, else inferred. Symbol and timeframe come from freqtrade file
 * names (`BTC_USDT-1h.json` → BTC/USDT 1h, `XRP_USDT_USDT-5m-futures.json` → XRP/USDT:USDT 5m); the timeframe
 * can also come from the median step between candles.
 */
import { basename } from 'node:path';
import { TIMEFRAMES, timeframeMs, type FrameLabels } from '../../engine/index.ts';

export interface InferredLabels {
  symbol?: string;
  timeframe?: string;
}

/** Parse a freqtrade candle file name. Unknown shapes infer nothing. */
export function labelsFromFileName(path: string): InferredLabels {
  const name = basename(path).replace(/\.(json|csv|feather|parquet)(\.gz)?$/i, '');
  const m = /^([A-Za-z0-9]+)_([A-Za-z0-9]+)(?:_([A-Za-z0-9]+))?-(\d+[mhdwM])(?:-[a-z_]+)?$/.exec(name);
  if (!m) return {};
  const symbol = m[3] ? `${m[1]}/${m[2]}:${m[3]}` : `${m[1]}/${m[2]}`;
  const timeframe = (TIMEFRAMES as readonly string[]).includes(m[4]) ? m[4] : undefined;
  return { symbol, timeframe };
}

/** The timeframe whose length equals the median step between consecutive candles, or undefined. */
export function timeframeFromSteps(ts: Float64Array): string | undefined {
  const n = ts.length;
  if (n < 2) return undefined;
  const m = Math.min(n - 1, 10_001);
  const stride = (n - 1) / m;
  const steps = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const i = 1 + Math.floor(k * stride);
    steps[k] = ts[i] - ts[i - 1];
  }
  steps.sort();
  const median = steps[m >> 1];
  return TIMEFRAMES.find((tf) => timeframeMs(tf) === median);
}

/** Given labels win; then the file name; then the median step. Exchange defaults to 'unknown'. */
export function resolveLabels(path: string, ts: Float64Array, given: Partial<FrameLabels> | undefined): FrameLabels {
  const fromName = labelsFromFileName(path);
  return {
    exchange: given?.exchange || 'unknown',
    symbol: given?.symbol || fromName.symbol || 'unknown',
    timeframe: given?.timeframe || fromName.timeframe || timeframeFromSteps(ts) || '',
  };
}
