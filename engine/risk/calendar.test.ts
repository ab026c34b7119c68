import { describe, expect, it } from 'vitest';
import { isoWeekKey, isoWeekStart, utcDayKey, utcDayStart } from './calendar.ts';

describe('UTC calendar periods', () => {
  it('days run 00:00 to 24:00 UTC', () => {
    expect(utcDayKey(Date.UTC(2025, 0, 1, 23, 59, 59, 999))).toBe('2025-01-01');
    expect(utcDayKey(Date.UTC(2025, 0, 2))).toBe('2025-01-02');
    expect(utcDayStart(Date.UTC(2025, 0, 2, 13))).toBe(Date.UTC(2025, 0, 2));
  });
  it('weeks start Monday 00:00 UTC and carry the ISO week-year', () => {
    expect(isoWeekStart(Date.UTC(2025, 2, 16, 23, 59))).toBe(Date.UTC(2025, 2, 10)); // Sunday → the Monday before
    expect(isoWeekStart(Date.UTC(2025, 2, 17))).toBe(Date.UTC(2025, 2, 17)); // Monday
    expect(isoWeekKey(Date.UTC(2025, 2, 12))).toBe('2025-W11');
    expect(isoWeekKey(Date.UTC(2024, 11, 30))).toBe('2025-W01'); // Monday 30 Dec 2024
    expect(isoWeekKey(Date.UTC(2024, 11, 29))).toBe('2024-W52'); // Sunday 29 Dec 2024
    expect(isoWeekKey(Date.UTC(2021, 0, 3))).toBe('2020-W53'); // Sunday 3 Jan 2021
    expect(isoWeekKey(Date.UTC(2026, 0, 1))).toBe('2026-W01'); // a Thursday
  });
});
