// Indicators: batch kernels over Float64Array columns (NaN warm-up) and incremental forms for live use.
export { sma, createSma, type ScalarStream } from './sma.ts';
export { ema, createEma } from './ema.ts';
export { wma, createWma } from './wma.ts';
export { rsi, createRsi } from './rsi.ts';
export { macd, createMacd, type MacdColumns, type MacdPoint } from './macd.ts';
export { bollinger, createBollinger, type BollingerColumns, type BollingerPoint } from './bollinger.ts';
export { rollingStd, createRollingStd, type Ddof } from './rolling-std.ts';
export { atr, createAtr, trueRange, type HlcStream } from './atr.ts';
export { donchian, createDonchian, type DonchianColumns, type DonchianPoint } from './donchian.ts';
export { rollingVwap, createRollingVwap, type HlcvStream } from './rolling-vwap.ts';
export { roc, createRoc } from './roc.ts';
export { zScore, createZScore } from './z-score.ts';
export { crossedAbove, crossedBelow, crossedAboveColumn, crossedBelowColumn } from './cross.ts';
export { settlingBars, emaSettlingBars, wilderSettlingBars } from './settling.ts';
