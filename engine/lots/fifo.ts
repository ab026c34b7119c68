/**
 * FIFO lot matching for the tax report: whatever lots the strategy paired, each sell disposes of the OLDEST
 * holdings of its market first. Costs include the buy fee pro rata; proceeds are net of the sell fee.
 */

export interface FifoFill {
  readonly symbol: string;
  readonly ts: number;
  readonly side: 'buy' | 'sell';
  readonly price: number;
  readonly amount: number;
  readonly fee: number;
}

/** Holdings present before the first fill (e.g. a run's initial inventory), acquired at `ts` for `price`. */
export interface FifoOpening {
  readonly symbol: string;
  readonly ts: number;
  readonly price: number;
  readonly amount: number;
}

export interface Disposal {
  readonly symbol: string;
  readonly acquiredTs: number;
  readonly disposedTs: number;
  readonly amount: number;
  /** Acquisition cost incl. the buy fee share (quote). */
  readonly cost: number;
  /** Sale proceeds net of the sell fee share (quote). */
  readonly proceeds: number;
  readonly gain: number;
}

export interface FifoResult {
  readonly disposals: Disposal[];
  /** Holdings left per symbol (amount, cost incl. fees). */
  readonly holdings: Record<string, { amount: number; cost: number }>;
  /** Amount sold that no holding covered (should be 0 in a spot run). */
  readonly uncovered: number;
}

interface Holding { ts: number; amount: number; unitCost: number }

/** Match sells to the oldest holdings, per symbol, in the order given (fills must be in time order). */
export function fifoMatch(fills: readonly FifoFill[], openings: readonly FifoOpening[] = []): FifoResult {
  const queues = new Map<string, { q: Holding[]; h: number }>();
  const queue = (s: string) => {
    let x = queues.get(s);
    if (!x) { x = { q: [], h: 0 }; queues.set(s, x); }
    return x;
  };
  for (const o of openings) if (o.amount > 0) queue(o.symbol).q.push({ ts: o.ts, amount: o.amount, unitCost: o.price });
  const disposals: Disposal[] = [];
  let uncovered = 0;
  for (const f of fills) {
    const qq = queue(f.symbol);
    if (f.side === 'buy') {
      qq.q.push({ ts: f.ts, amount: f.amount, unitCost: (f.price * f.amount + f.fee) / f.amount });
      continue;
    }
    let left = f.amount;
    const unitProceeds = (f.price * f.amount - f.fee) / f.amount;
    while (left > 1e-15 * f.amount && qq.h < qq.q.length) {
      const h = qq.q[qq.h];
      const take = Math.min(h.amount, left);
      const cost = take * h.unitCost, proceeds = take * unitProceeds;
      disposals.push({ symbol: f.symbol, acquiredTs: h.ts, disposedTs: f.ts, amount: take, cost, proceeds, gain: proceeds - cost });
      h.amount -= take;
      left -= take;
      if (h.amount <= 1e-15 * take) qq.h++;
    }
    if (left > 1e-15 * f.amount) uncovered += left;
  }
  const holdings: Record<string, { amount: number; cost: number }> = {};
  for (const [s, { q, h }] of queues) {
    let amount = 0, cost = 0;
    for (let k = h; k < q.length; k++) { amount += q[k].amount; cost += q[k].amount * q[k].unitCost; }
    holdings[s] = { amount, cost };
  }
  return { disposals, holdings, uncovered };
}
