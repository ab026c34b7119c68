import { describe, expect, it } from 'vitest';
import { boundsText, changedParams, defaultsOf, fieldError, fieldsOf, validateParams } from './param-schema.ts';

// The JSON form of engine/strategies-orders/grid.ts's schema (a part of it), as GET /api/strategies returns it.
const GRID = {
  type: 'object', required: ['gridStepPct', 'budgetMode', 'minBuys'],
  properties: {
    gridStepPct: { default: 0.33, minimum: 0.01, maximum: 20, description: 'distance between grid levels, % of price', type: 'number' },
    budgetMode: { default: 'percent', description: 'budget mode', anyOf: [{ const: 'percent', type: 'string' }, { const: 'fixed', type: 'string' }] },
    minBuys: { default: 10, minimum: 0, maximum: 500, type: 'integer' },
    quantity: { default: 1, exclusiveMinimum: 0, maximum: 1e12, type: 'number' },
    initialBuy: { default: false, type: 'boolean' },
    label: { type: 'string' },
  },
};

describe('param-schema', () => {
  const fields = fieldsOf(GRID);

  it('makes one field per property with kind, bounds, default, choices', () => {
    expect(fields.map((f) => [f.name, f.kind])).toEqual([
      ['gridStepPct', 'number'], ['budgetMode', 'choice'], ['minBuys', 'integer'], ['quantity', 'number'], ['initialBuy', 'boolean'], ['label', 'text'],
    ]);
    expect(fields[0]).toMatchObject({ min: 0.01, max: 20, default: 0.33, required: true, minExclusive: false });
    expect(fields[1].choices).toEqual(['percent', 'fixed']);
    expect(fields[3]).toMatchObject({ min: 0, minExclusive: true, max: 1e12 });
    expect(fields[5].required).toBe(false);
    expect(fieldsOf(undefined)).toEqual([]);
  });

  it('shows bounds', () => {
    expect(boundsText(fields[0])).toBe('0.01 … 20');
    expect(boundsText(fields[3])).toBe('> 0 … 1e12');
    expect(boundsText(fields[5])).toBe('');
    expect(boundsText({ ...fields[0], max: undefined })).toBe('≥ 0.01');
  });

  it('defaults and changed values', () => {
    expect(defaultsOf(fields)).toEqual({ gridStepPct: 0.33, budgetMode: 'percent', minBuys: 10, quantity: 1, initialBuy: false });
    expect(changedParams(fields, { ...defaultsOf(fields), minBuys: 4, budgetMode: 'fixed' })).toEqual({ minBuys: 4, budgetMode: 'fixed' });
  });

  it('validates against the bounds and kinds', () => {
    const f = (n: string) => fields.find((x) => x.name === n)!;
    expect(fieldError(f('gridStepPct'), 0.005)).toBe('gridStepPct must be at least 0.01');
    expect(fieldError(f('gridStepPct'), 21)).toBe('gridStepPct must be at most 20');
    expect(fieldError(f('gridStepPct'), 20)).toBeNull();
    expect(fieldError(f('minBuys'), 2.5)).toBe('minBuys must be a whole number');
    expect(fieldError(f('quantity'), 0)).toBe('quantity must be more than 0');
    expect(fieldError(f('budgetMode'), 'all')).toBe('budgetMode must be one of percent, fixed');
    expect(fieldError(f('gridStepPct'), Number.NaN)).toBe('gridStepPct must be a number');
    // Blank: the default applies (the server fills it), so a required field with a default is not an error.
    expect(fieldError(f('gridStepPct'), undefined)).toBeNull();
    expect(fieldError({ ...f('gridStepPct'), default: undefined }, undefined)).toBe('gridStepPct is required');
    expect(validateParams(fields, { gridStepPct: 50, minBuys: 3 })).toEqual({ gridStepPct: 'gridStepPct must be at most 20' });
  });
});
