// Parameter validation of the built-in strategies: did-you-mean, bounds, cross-field constraints.
import { describe, expect, it } from 'vitest';
import { isTradelabError } from '../errors.ts';
import { findBuiltinStrategy } from './index.ts';

function usageMessage(fn: () => unknown): string {
  try { fn(); } catch (e) {
    expect(isTradelabError(e) && e.family === 'usage').toBe(true);
    return (e as Error).message;
  }
  return expect.fail('expected a usage error');
}

describe('strategy parameters', () => {
  const sma = findBuiltinStrategy('sma-cross')!;
  const rsi = findBuiltinStrategy('rsi-reversion')!;
  const bb = findBuiltinStrategy('bollinger-reversion')!;
  const bo = findBuiltinStrategy('breakout')!;

  it('defaults resolve and satisfy the constraints', () => {
    expect(sma.resolveParams()).toEqual({ fast: 10, slow: 30 });
    expect(findBuiltinStrategy('ema-cross')!.resolveParams()).toEqual({ fast: 12, slow: 26 });
    expect(bb.resolveParams()).toEqual({ period: 20, mult: 2 });
    expect(bo.resolveParams()).toEqual({ period: 20, volPeriod: 20, volFactor: 1.5 });
    expect(rsi.resolveParams()).toEqual({ period: 14, oversold: 30, overbought: 70 });
    expect(sma.resolveParams({ fast: '5', slow: '50' })).toEqual({ fast: 5, slow: 50 }); // CLI strings are coerced
  });

  it('an unknown name suggests the closest one', () => {
    expect(usageMessage(() => sma.resolveParams({ fsat: 5 }))).toMatch(/unknown parameter 'fsat' for strategy 'sma-cross'\. Did you mean 'fast'\?/);
    expect(usageMessage(() => rsi.resolveParams({ overbougth: 80 }))).toMatch(/Did you mean 'overbought'/);
    expect(usageMessage(() => bo.resolveParams({ volfactor: 2 }))).toMatch(/Did you mean 'volFactor'/);
  });

  it('out-of-bounds and non-integer values name the allowed range', () => {
    expect(usageMessage(() => sma.resolveParams({ fast: 0 }))).toMatch(/fast=0 is out of bounds; expected integer 1\.\.500/);
    expect(usageMessage(() => sma.resolveParams({ slow: 2.5 }))).toMatch(/slow=2\.5 must be an integer/);
    expect(usageMessage(() => bb.resolveParams({ mult: 50 }))).toMatch(/mult=50 is out of bounds; expected number 0\.1\.\.10/);
    expect(usageMessage(() => rsi.resolveParams({ period: 'abc' }))).toMatch(/period=abc is not a number/);
  });

  it('cross-field constraints are checked', () => {
    expect(usageMessage(() => sma.resolveParams({ fast: 30, slow: 10 }))).toMatch(/constraint 'fast < slow' does not hold for fast=30, slow=10/);
    expect(usageMessage(() => sma.resolveParams({ fast: 30 }))).toMatch(/constraint 'fast < slow'/);
    expect(usageMessage(() => rsi.resolveParams({ oversold: 80 }))).toMatch(/constraint 'oversold < overbought'/);
  });
});
