import { describe, expect, it } from 'vitest';
import { fmtDuration, fmtPct, fmtPnl, fmtPrice, fmtTime, pnlClass } from './format.ts';

describe('format', () => {
  it('signs P&L and colours it', () => {
    expect(fmtPnl(12.3)).toBe('+12.30');
    expect(fmtPnl(-4.1)).toBe('−4.10');
    expect(fmtPnl(0)).toBe('0.00');
    expect(pnlClass(1)).toBe('profit');
    expect(pnlClass(-1)).toBe('loss');
    expect(pnlClass(0)).toBe('');
    expect(fmtPnl(Number.NaN)).toBe('–');
  });
  it('formats percentages, prices of any size, times and durations', () => {
    expect(fmtPct(0.1234)).toBe('12.34%');
    expect(fmtPrice(97123.456)).toBe('97,123.46');
    expect(fmtPrice(1.23456)).toBe('1.2346');
    expect(fmtPrice(0.00001234)).toBe('0.00001234');
    expect(fmtTime(Date.UTC(2026, 10, 21, 8, 5))).toBe('2026-11-21 08:05 UTC');
    expect(fmtDuration(93_784_000)).toBe('1d 2h 3m');
  });
});
