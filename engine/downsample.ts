/**
 * Min/max bucketing for charts (the HTML reports and the server's chart series for the web UI): keeps every bucket's lowest and highest point (in time order), so a 525,600-bar
 * curve drawn with ~2 × buckets points still shows every peak and every drawdown trough. Returns indices.
 */
export function minMaxIndices(y: ArrayLike<number>, buckets = 4000): Int32Array {
  const n = y.length;
  if (n <= buckets * 2) return Int32Array.from({ length: n }, (_, i) => i);
  const size = Math.ceil(n / buckets);
  const out: number[] = [];
  for (let s = 0; s < n; s += size) {
    const e = Math.min(n, s + size);
    let lo = s, hi = s;
    for (let i = s + 1; i < e; i++) {
      if (y[i] < y[lo]) lo = i;
      if (y[i] > y[hi]) hi = i;
    }
    if (lo === hi) out.push(lo);
    else if (lo < hi) out.push(lo, hi);
    else out.push(hi, lo);
  }
  if (out[out.length - 1] !== n - 1) out.push(n - 1);
  return Int32Array.from(out);
}

export function pick(src: ArrayLike<number>, idx: Int32Array, round?: (x: number) => number): number[] {
  const out = new Array<number>(idx.length);
  for (let k = 0; k < idx.length; k++) {
    const v = src[idx[k]];
    out[k] = round ? round(v) : v;
  }
  return out;
}
