/**
 * Plateau measure: how much the metric falls in the neighbourhood of the best combination.
 *
 * Neighbours of the best combination are the other combinations that were run whose grid index differs by at most
 * one step on EVERY swept parameter (the ±1-step box around it: up to 3^d − 1 points in a full d-parameter product
 * grid, fewer at the grid's edges or where constraints skipped combinations; in zip mode, the previous and next
 * combination). Over the neighbours whose metric is a number:
 *
 *   mean  = Σ m_j / count,  worst = the worst m_j (min, or max for a lower-is-better metric),
 *   meanRatio = mean / best,  worstRatio = worst / best,
 *   meanDropPct  = dir × (best − mean)  / |best| × 100,
 *   worstDropPct = dir × (best − worst) / |best| × 100   (dir = +1 higher is better, −1 lower is better),
 *
 * so a drop of 0 % is a flat plateau and a drop of 100 % means the neighbours are at 0 for a positive best: a spike.
 */
export interface Plateau {
  /** Row of the best combination and its metric. */
  readonly bestRow: number;
  readonly best: number;
  /** Neighbours that were run, and how many of them have a numeric metric (NaN metrics are left out). */
  readonly neighbours: number;
  readonly counted: number;
  readonly mean: number;
  readonly worst: number;
  readonly meanRatio: number;
  readonly worstRatio: number;
  readonly meanDropPct: number;
  readonly worstDropPct: number;
  /** Rows of the neighbours. */
  readonly rows: readonly number[];
}

export function plateauAround(index: readonly (readonly number[])[], values: ArrayLike<number>, bestRow: number, dir: 1 | -1): Plateau {
  const b = index[bestRow];
  const best = values[bestRow];
  const rows: number[] = [];
  let sum = 0, counted = 0, worst = NaN;
  for (let r = 0; r < index.length; r++) {
    if (r === bestRow) continue;
    const x = index[r];
    let near = true;
    for (let d = 0; d < b.length && near; d++) near = Math.abs(x[d] - b[d]) <= 1;
    if (!near) continue;
    rows.push(r);
    const v = values[r];
    if (v !== v) continue;
    sum += v;
    counted++;
    if (worst !== worst || dir * v < dir * worst) worst = v;
  }
  const mean = counted ? sum / counted : NaN;
  const drop = (x: number) => (dir * (best - x)) / Math.abs(best) * 100;
  return {
    bestRow, best, neighbours: rows.length, counted, mean, worst,
    meanRatio: mean / best, worstRatio: worst / best, meanDropPct: drop(mean), worstDropPct: drop(worst), rows,
  };
}
