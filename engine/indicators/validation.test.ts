// Every bad argument a caller can pass is a usage error that names the indicator and the problem.
import { describe, expect, it } from 'vitest';
import { isTradelabError } from '../errors.ts';
import {
  atr, bollinger, createSma, createRollingStd, crossedAboveColumn, donchian, macd, rollingStd, rollingVwap, sma,
} from './index.ts';

function usage(fn: () => unknown, text: RegExp): void {
  try { fn(); } catch (e) {
    expect(isTradelabError(e) && e.family === 'usage').toBe(true);
    expect((e as Error).message).toMatch(text);
    return;
  }
  expect.fail('expected a usage error');
}

const x = new Float64Array(10);

describe('argument validation', () => {
  it('period must be an integer >= 1', () => {
    usage(() => sma(x, 0), /sma: period must be an integer >= 1, got 0/);
    usage(() => sma(x, 2.5), /integer >= 1, got 2.5/);
    usage(() => sma(x, NaN), /got NaN/);
    usage(() => createSma(-1), /createSma: period/);
  });
  it('columns must be Float64Array and of equal length', () => {
    usage(() => sma([1, 2, 3] as unknown as Float64Array, 2), /sma: src must be a Float64Array/);
    usage(() => atr(x, x, new Float64Array(9), 3), /atr: close has 9 rows but high has 10/);
    usage(() => rollingVwap(x, x, x, new Float64Array(3), 3), /volume has 3 rows/);
    usage(() => donchian(x, new Float64Array(2), 3), /donchian: low has 2 rows/);
    usage(() => crossedAboveColumn(x, new Float64Array(2)), /b has 2 rows/);
  });
  it('output columns must fit', () => {
    usage(() => sma(x, 2, new Float64Array(3)), /output column out must be a Float64Array of length 10/);
    usage(() => bollinger(x, 2, 2, { upper: new Float64Array(1) }), /upper/);
  });
  it('indicator-specific rules', () => {
    usage(() => macd(x, 26, 12, 9), /macd: fast \(26\) must be < slow \(12\)/);
    usage(() => bollinger(x, 20, Infinity), /mult must be a finite number/);
    usage(() => rollingStd(x, 1, 1), /needs period >= 2/);
    usage(() => createRollingStd(5, 2 as 0), /ddof must be 0/);
  });
});
