import { describe, expect, it } from 'vitest';
import { smaCross, bollingerReversion } from '../strategies/index.ts';
import type { TObject } from '@sinclair/typebox';
import { expandCombos, parseGridSpec, parseGrids, type GridAxis } from './grid.ts';
import { isTradelabError } from '../errors.ts';

const schema = smaCross.params as TObject;
const usage = (fn: () => unknown, re: RegExp) => {
  try { fn(); } catch (e) { expect(isTradelabError(e) && e.family === 'usage').toBe(true); expect((e as Error).message).toMatch(re); return; }
  expect.fail('expected a usage error');
};

describe('parseGridSpec', () => {
  it('expands start:stop:step with an inclusive stop, and lists', () => {
    expect(parseGridSpec('sma-cross', schema, 'fast=5:50:5').values).toEqual([5, 10, 15, 20, 25, 30, 35, 40, 45, 50]);
    expect(parseGridSpec('sma-cross', schema, 'slow=20:45:10').values).toEqual([20, 30, 40]); // 50 is past the stop
    expect(parseGridSpec('sma-cross', schema, 'fast= 3, 7 ,11').values).toEqual([3, 7, 11]);
    const bb = bollingerReversion.params as TObject;
    const names = Object.keys(bb.properties);
    const numeric = names.find((k) => (bb.properties[k] as { type?: string }).type === 'number')!;
    expect(parseGridSpec('bollinger-reversion', bb, `${numeric}=1.5:2.1:0.2`).values).toEqual([1.5, 1.7, 1.9, 2.1]);
  });
  it('rejects bad input with clear usage errors', () => {
    usage(() => parseGridSpec('sma-cross', schema, 'fsat=5:50:5'), /unknown parameter 'fsat'.*Did you mean 'fast'/);
    usage(() => parseGridSpec('sma-cross', schema, 'fast'), /must look like name=start:stop:step/);
    usage(() => parseGridSpec('sma-cross', schema, 'fast=5:50'), /three numbers/);
    usage(() => parseGridSpec('sma-cross', schema, 'fast=5:50:0'), /step must be > 0/);
    usage(() => parseGridSpec('sma-cross', schema, 'fast=50:5:5'), /stop \(5\) is below start \(50\)/);
    usage(() => parseGridSpec('sma-cross', schema, 'fast=0:10:5'), /out of bounds; expected integer 1\.\.500/);
    usage(() => parseGridSpec('sma-cross', schema, 'fast=2.5,3'), /must be an integer/);
    usage(() => parseGridSpec('sma-cross', schema, 'fast=a,b'), /not a number/);
    usage(() => parseGridSpec('sma-cross', schema, 'fast=5,,6'), /empty value/);
    usage(() => parseGridSpec('sma-cross', schema, 'fast=5,5'), /repeat/);
    usage(() => parseGridSpec('sma-cross', schema, 'fast=1:1000000:1'), /at most/);
    usage(() => parseGrids('sma-cross', schema, ['fast=5', 'fast=6']), /given twice/);
    usage(() => parseGrids('sma-cross', schema, []), /at least one --grid/);
  });
});

describe('expandCombos', () => {
  const axes: GridAxis[] = [
    { name: 'fast', values: [1, 2, 3], spec: '' },
    { name: 'slow', values: [10, 20], spec: '' },
  ];
  it('product: every combination, the first grid slowest, with grid indices', () => {
    const c = expandCombos(axes, { mode: 'product' });
    expect(c.map((x) => x.values)).toEqual([
      { fast: 1, slow: 10 }, { fast: 1, slow: 20 }, { fast: 2, slow: 10 }, { fast: 2, slow: 20 }, { fast: 3, slow: 10 }, { fast: 3, slow: 20 },
    ]);
    expect(c[3].index).toEqual([1, 1]);
  });
  it('zip: k-th values together; unequal lengths fail', () => {
    const z = expandCombos([axes[0], { name: 'slow', values: [10, 20, 30], spec: '' }], { mode: 'zip' });
    expect(z.map((x) => x.values)).toEqual([{ fast: 1, slow: 10 }, { fast: 2, slow: 20 }, { fast: 3, slow: 30 }]);
    usage(() => expandCombos(axes, { mode: 'zip' }), /equal length; fast has 3, slow has 2/);
  });
  it('random: seeded, reproducible, distinct, in product order; a different seed draws differently', () => {
    const big: GridAxis[] = [{ name: 'fast', values: Array.from({ length: 40 }, (_, k) => k + 1), spec: '' }, { name: 'slow', values: Array.from({ length: 50 }, (_, k) => 100 + k), spec: '' }];
    const a = expandCombos(big, { mode: 'random', samples: 25, seed: 7 });
    const b = expandCombos(big, { mode: 'random', samples: 25, seed: 7 });
    const c = expandCombos(big, { mode: 'random', samples: 25, seed: 8 });
    expect(a).toEqual(b);
    expect(a.map((x) => x.values)).not.toEqual(c.map((x) => x.values));
    const keys = a.map((x) => x.index[0] * 50 + x.index[1]);
    expect(new Set(keys).size).toBe(25);
    expect([...keys].sort((x, y) => x - y)).toEqual(keys);
    expect(expandCombos(axes, { mode: 'random', samples: 99, seed: 1 })).toHaveLength(6); // more samples than combinations: all of them
    usage(() => expandCombos(axes, { mode: 'random' }), /--samples N/);
  });
});
