import { describe, expect, it } from 'vitest';
import { parseDuration, planFolds } from './folds.ts';

const H = 3_600_000, D = 24 * H;

describe('parseDuration', () => {
  it('reads m, h, d, w and rejects anything else (usage error)', () => {
    expect(parseDuration('180d', '--train')).toBe(180 * D);
    expect(parseDuration('12h', '--test')).toBe(12 * H);
    expect(parseDuration('4w', '--test')).toBe(28 * D);
    expect(parseDuration('90m', '--test')).toBe(90 * 60_000);
    for (const bad of ['180', 'd', '0d', '-3d', '2y', '1.5.2d']) expect(() => parseDuration(bad, '--train')).toThrow(/--train '.*' is not a duration; use a number and a unit m, h, d or w/);
  });
});

describe('planFolds', () => {
  // 100 days of hourly bars; the first 10 days are warm-up (measured bars start at index 240)
  const n = 100 * 24;
  const ts = Float64Array.from({ length: n }, (_, i) => Date.UTC(2021, 0, 1) + i * H);
  const start = 240;
  it('rolling: training windows slide by the test length; test windows are contiguous, never overlap, start where training ends', () => {
    const f = planFolds(ts, start, n, H, 30 * D, 10 * D, false);
    expect(f).toHaveLength(6); // 90 measured days: train 30 + 6 × test 10
    for (let k = 0; k < f.length; k++) {
      expect(f[k].testStart).toBe(f[k].trainEnd);
      expect(f[k].trainEnd - f[k].trainStart).toBe(30 * 24);
      expect(f[k].testEnd - f[k].testStart).toBe(10 * 24);
      if (k > 0) {
        expect(f[k].testStart).toBe(f[k - 1].testEnd); // contiguous, no overlap
        expect(f[k].trainStart).toBe(f[k - 1].trainStart + 10 * 24);
      }
    }
    expect(f[0].trainStart).toBe(start); // warm-up bars before it are never measured
    expect(f[5].testEnd).toBe(n);
  });
  it('anchored: every training window starts at the first measured bar', () => {
    const f = planFolds(ts, start, n, H, 30 * D, 10 * D, true);
    expect(f.map((x) => x.trainStart)).toEqual(f.map(() => start));
    expect(f.map((x) => x.trainEnd - x.trainStart)).toEqual([30, 40, 50, 60, 70, 80].map((d) => d * 24));
  });
  it('leaves out a final partial test window; too little data is a usage error', () => {
    expect(planFolds(ts, start, n - 1, H, 30 * D, 10 * D, false)).toHaveLength(5);
    expect(() => planFolds(ts, start, n, H, 80 * D, 20 * D, false)).toThrow(/too short for one fold/);
  });
});
