import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/svelte';
import { sparkPath, trendOf } from './sparkline.ts';
import Sparkline from './components/Sparkline.svelte';

describe('sparkline', () => {
  it('scales the series into the box, highest value at the top', () => {
    expect(sparkPath([1, 3, 2], 102, 22)).toBe('M1.0,21.0 L51.0,1.0 L101.0,11.0');
    expect(sparkPath([5, 5], 10, 20)).toBe('M1.0,10.0 L9.0,10.0');
    expect(sparkPath([1], 10, 10)).toBe('');
    expect(sparkPath([1, Number.NaN, 3], 12, 12)).toBe('M1.0,11.0 M11.0,1.0');
  });
  it('names the trend', () => {
    expect(trendOf([1, 2])).toBe('up');
    expect(trendOf([2, 1])).toBe('down');
    expect(trendOf([2, 3, 2])).toBe('flat');
  });
  it('renders an image with an accessible name, or says there are no candles', () => {
    render(Sparkline, { values: [1, 2, 3], label: 'BTC/USDT last 3 closes, up' });
    const img = screen.getByRole('img', { name: 'BTC/USDT last 3 closes, up' });
    expect(img.getAttribute('class')).toContain('spark-up');
    expect(img.querySelector('path')?.getAttribute('d')).toMatch(/^M/);
    render(Sparkline, { values: [], label: 'none' });
    expect(screen.getByText('no candles')).toBeTruthy();
  });
});
