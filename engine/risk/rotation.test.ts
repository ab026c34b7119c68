import { describe, expect, it } from 'vitest';
import { kellyFraction, kellySize, kellyStats } from './kelly.ts';
import { initialRotationState, onTradeClosed, resumeRotation, type RotationState } from './rotation.ts';
import { expectRelClose } from '../../test-support/approx.ts';

const cfg = { maxConsecutiveLosses: 2, maxRotations: 2 };
const cands = ['a@1', 'b@1', 'c@1'];

function feed(s: RotationState, pnls: number[]) {
  const out = [];
  for (const pnl of pnls) { const d = onTradeClosed(s, { pnl }, cands, cfg); out.push(d); s = d.next; }
  return { s, out };
}

describe('consecutive-loss rotation', () => {
  it('does nothing while the streak is shorter than the limit, and a win resets it', () => {
    const { s, out } = feed(initialRotationState('a@1'), [-1, 5, -1, 0]);
    expect(out.map((d) => d.action)).toEqual(['none', 'none', 'none', 'none']);
    expect(s.consecutiveLosses).toBe(1);
    expect(s.current).toBe('a@1');
  });
  it('rotates after N losses, never back to a strategy that lost, then pauses after the rotations', () => {
    const { s, out } = feed(initialRotationState('a@1'), [-1, -1, -2, -2, -3, -3]);
    expect(out.map((d) => d.action)).toEqual(['none', 'rotate', 'none', 'rotate', 'none', 'pause']);
    expect(out[1]).toMatchObject({ action: 'rotate', from: 'a@1', to: 'b@1' });
    expect(out[3]).toMatchObject({ action: 'rotate', from: 'b@1', to: 'c@1' });
    expect(s).toMatchObject({ current: 'c@1', paused: true, rotations: 2, abandoned: ['a@1', 'b@1'] });
    // paused: further losses take no decision
    expect(onTradeClosed(s, { pnl: -1 }, cands, cfg).action).toBe('none');
    // manual resume clears it
    expect(resumeRotation(s)).toEqual(initialRotationState('c@1'));
  });
  it('pauses when no candidate is left, and with zero rotations allowed', () => {
    const d1 = onTradeClosed({ ...initialRotationState('a@1'), consecutiveLosses: 1, abandoned: ['b@1'] }, { pnl: -1 }, ['a@1', 'b@1'], cfg);
    expect(d1.action).toBe('pause');
    const d2 = onTradeClosed({ ...initialRotationState('a@1'), consecutiveLosses: 1 }, { pnl: -1 }, cands, { maxConsecutiveLosses: 2, maxRotations: 0 });
    expect(d2.action).toBe('pause');
    expect(d2.next.paused).toBe(true);
  });
});

describe('Kelly fraction', () => {
  it('matches f* = W - (1 - W) / R, fractional and capped', () => {
    const pnl = [30, -10, 30, -10, -10]; // W = 0.4, R = 3, f* = 0.4 - 0.6 / 3 = 0.2
    const s = kellyStats(pnl, 10);
    expectRelClose(s.winRate, 0.4);
    expectRelClose(s.payoff, 3);
    expectRelClose(s.full, 0.2);
    expectRelClose(kellyFraction(pnl, { fraction: 0.5, cap: 1, lookback: 10, minTrades: 5 })!, 0.1);
    expectRelClose(kellyFraction(pnl, { fraction: 1, cap: 0.15, lookback: 10, minTrades: 5 })!, 0.15);
    expect(kellyFraction(pnl, { fraction: 1, cap: 1, lookback: 10, minTrades: 6 })).toBeNull();
    expectRelClose(kellySize(pnl, 2000, 50, { fraction: 0.5, cap: 1, lookback: 10, minTrades: 5 })!, 4); // 0.1 x 2000 / 50
  });
  it('uses only the last `lookback` trades; never negative', () => {
    expectRelClose(kellyStats([-100, -100, 10, -5], 2).payoff, 2);
    expect(kellyFraction([-1, -1, 1], { fraction: 1, cap: 1, lookback: 3, minTrades: 3 })).toBe(0);
  });
});
