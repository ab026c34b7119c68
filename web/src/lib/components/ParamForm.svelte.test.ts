import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import ParamForm from './ParamForm.svelte';

const SCHEMA = {
  type: 'object', required: ['fast', 'mode'],
  properties: {
    fast: { default: 10, minimum: 1, maximum: 500, description: 'Fast SMA period (bars)', type: 'integer' },
    mode: { default: 'step', anyOf: [{ const: 'step', type: 'string' }, { const: 'custom', type: 'string' }], description: 'profit mode' },
    initialBuy: { default: false, type: 'boolean', description: 'buy at start' },
  },
};

describe('ParamForm', () => {
  it('renders a labelled control per parameter with bounds and default, filled with the defaults', async () => {
    const props = $state({ schema: SCHEMA, values: {} as Record<string, unknown>, errors: {} as Record<string, string> });
    render(ParamForm, { props });
    flushSync();
    const fast = screen.getByLabelText('fast') as HTMLInputElement;
    expect(fast.value).toBe('10');
    expect([fast.min, fast.max, fast.step]).toEqual(['1', '500', '1']);
    expect(screen.getByText(/Fast SMA period \(bars\)/).textContent).toContain('1 … 500 · default 10');
    expect((screen.getByLabelText('mode') as HTMLSelectElement).value).toBe('step');
    expect((screen.getByLabelText('initialBuy') as HTMLInputElement).checked).toBe(false);
  });

  it('reports out-of-bounds values and updates the bound values', async () => {
    const props = $state({ schema: SCHEMA, values: {} as Record<string, unknown>, errors: {} as Record<string, string> });
    render(ParamForm, { props });
    flushSync();
    const values = () => props.values;
    const errors = () => props.errors;
    const fast = screen.getByLabelText('fast') as HTMLInputElement;
    await fireEvent.input(fast, { target: { value: '900' } });
    flushSync();
    expect(values().fast).toBe(900);
    expect(errors()).toEqual({ fast: 'fast must be at most 500' });
    expect(screen.getByRole('alert').textContent).toBe('fast must be at most 500');
    expect(fast.getAttribute('aria-invalid')).toBe('true');
    await fireEvent.change(screen.getByLabelText('mode'), { target: { value: 'custom' } });
    await fireEvent.click(screen.getByLabelText('initialBuy'));
    await fireEvent.input(fast, { target: { value: '12' } });
    flushSync();
    expect(values()).toEqual({ fast: 12, mode: 'custom', initialBuy: true });
    expect(errors()).toEqual({});
  });

  it('is disabled with its reason', () => {
    render(ParamForm, { props: { schema: SCHEMA, disabled: true, disabledReason: 'pause the bot to edit its parameters' } });
    expect(screen.getByLabelText('fast').matches(':disabled')).toBe(true);
    expect(screen.getByLabelText('mode').matches(':disabled')).toBe(true);
    expect(screen.getByText('pause the bot to edit its parameters')).toBeTruthy();
  });
});
