/**
 * Geometry of a sparkline: the SVG path of a series scaled into a width × height box (y grows downwards), with a
 * pixel of padding so the stroke is not clipped. Non-finite values are skipped (the line jumps over them).
 */
export function sparkPath(values: readonly number[], width: number, height: number, pad = 1): string {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length < 2) return '';
  let lo = Infinity, hi = -Infinity;
  for (const v of finite) { if (v < lo) lo = v; if (v > hi) hi = v; }
  const span = hi - lo;
  const dx = (width - 2 * pad) / (values.length - 1);
  const y = (v: number) => (span === 0 ? height / 2 : pad + (height - 2 * pad) * (1 - (v - lo) / span));
  const parts: string[] = [];
  let pen = false;
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) { pen = false; return; }
    parts.push(`${pen ? 'L' : 'M'}${(pad + i * dx).toFixed(1)},${y(v).toFixed(1)}`);
    pen = true;
  });
  return parts.join(' ');
}

/** 'up', 'down' or 'flat' from the first to the last finite value (colours the line). */
export function trendOf(values: readonly number[]): 'up' | 'down' | 'flat' {
  const f = values.filter((v) => Number.isFinite(v));
  if (f.length < 2 || f[f.length - 1] === f[0]) return 'flat';
  return f[f.length - 1] > f[0] ? 'up' : 'down';
}
