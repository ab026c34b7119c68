import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { refetcher } from './refetch.ts';

describe('refetcher', () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  it('coalesces a burst into one call after the quiet time', async () => {
    const fn = vi.fn(async () => {});
    const r = refetcher(fn, 100, 1000);
    for (let i = 0; i < 5; i++) { r.schedule(); await vi.advanceTimersByTimeAsync(50); }
    expect(fn).toHaveBeenCalledTimes(0);
    await vi.advanceTimersByTimeAsync(100);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('runs at most maxWait after the first event of a long burst', async () => {
    const fn = vi.fn(async () => {});
    const r = refetcher(fn, 100, 300);
    for (let i = 0; i < 10; i++) { r.schedule(); await vi.advanceTimersByTimeAsync(60); }
    expect(fn.mock.calls.length).toBeGreaterThanOrEqual(1);
    expect(fn.mock.calls.length).toBeLessThanOrEqual(3);
  });

  it('never overlaps: a request asked for during one runs once after it', async () => {
    let active = 0, maxActive = 0, calls = 0;
    const fn = async () => { active++; calls++; maxActive = Math.max(maxActive, active); await new Promise((r) => setTimeout(r, 200)); active--; };
    const r = refetcher(fn, 10, 50);
    const first = r.now();
    await vi.advanceTimersByTimeAsync(50);
    r.schedule(); r.schedule();
    await vi.advanceTimersByTimeAsync(20);
    await vi.advanceTimersByTimeAsync(1000);
    await first;
    expect(maxActive).toBe(1);
    expect(calls).toBe(2);
  });

  it('does nothing after cancel, and survives a failing fetch', async () => {
    const fn = vi.fn(async () => { throw new Error('server down'); });
    const r = refetcher(fn, 10, 50);
    await r.now();
    expect(fn).toHaveBeenCalledTimes(1);
    r.schedule();
    r.cancel();
    await vi.advanceTimersByTimeAsync(100);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
