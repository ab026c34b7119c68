import { describe, expect, it } from 'vitest';
import { parseConstraint } from './constraint.ts';

const names = ['fast', 'slow', 'mult'];
const check = (expr: string, p: Record<string, number>) => parseConstraint(expr, names).check(p);

describe('parseConstraint', () => {
  it('evaluates comparisons with arithmetic, precedence, parentheses, unary minus and &&/and', () => {
    expect(check('fast < slow', { fast: 5, slow: 10 })).toBe(true);
    expect(check('fast < slow', { fast: 10, slow: 10 })).toBe(false);
    expect(check('fast <= slow', { fast: 10, slow: 10 })).toBe(true);
    expect(check('fast * 2 < slow', { fast: 5, slow: 10 })).toBe(false);
    expect(check('fast * 2 <= slow', { fast: 5, slow: 10 })).toBe(true);
    expect(check('fast + slow * 2 == 25', { fast: 5, slow: 10 })).toBe(true); // * before +
    expect(check('(fast + slow) * 2 == 30', { fast: 5, slow: 10 })).toBe(true);
    expect(check('slow - fast - 1 == 4', { fast: 5, slow: 10 })).toBe(true); // left-associative
    expect(check('slow / fast / 2 == 1', { fast: 5, slow: 10 })).toBe(true);
    expect(check('-fast > -slow', { fast: 5, slow: 10 })).toBe(true);
    expect(check('fast != slow && mult >= 1.5e0', { fast: 5, slow: 10, mult: 1.5 })).toBe(true);
    expect(check('fast < slow and mult > 2', { fast: 5, slow: 10, mult: 1.5 })).toBe(false);
    expect(parseConstraint('fast * 2 < slow', names).names).toEqual(['fast', 'slow']);
  });
  it('rejects unknown names (with a suggestion) and anything that is not the grammar: no eval', () => {
    expect(() => parseConstraint('fsat < slow', names)).toThrow(/unknown parameter 'fsat'.*Did you mean 'fast'/);
    expect(() => parseConstraint('fast slow', names)).toThrow(/expected a comparison/);
    expect(() => parseConstraint('fast < ', names)).toThrow(/at the end/);
    expect(() => parseConstraint('(fast < slow', names)).toThrow(/expected a comparison|expected \)/);
    expect(() => parseConstraint('fast < slow)', names)).toThrow(/unexpected '\)'/);
    expect(() => parseConstraint('process.exit(1) < 2', names)).toThrow(/unexpected character '\.'|unknown parameter 'process'/);
    expect(() => parseConstraint('fast; < slow', names)).toThrow(/unexpected character ';'/);
    expect(() => parseConstraint('', names)).toThrow(/empty/);
    expect(() => parseConstraint('fast < slow < mult', names)).toThrow(/unexpected '<'/);
  });
});
