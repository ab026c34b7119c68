// Plain terminal tables (no colours when not a terminal; stable, greppable output).
export function table(rows: readonly (readonly string[])[], opts: { header?: readonly string[]; align?: readonly ('l' | 'r')[] } = {}): string {
  const all = opts.header ? [opts.header, ...rows] : rows;
  const cols = Math.max(0, ...all.map((r) => r.length));
  const width = Array.from({ length: cols }, (_, c) => Math.max(0, ...all.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]) => r.map((cell, c) => (opts.align?.[c] === 'r' ? cell.padStart(width[c]) : cell.padEnd(width[c]))).join('  ').trimEnd();
  const out: string[] = [];
  if (opts.header) {
    out.push(line(opts.header));
    out.push(width.map((w) => '-'.repeat(w)).join('  '));
  }
  for (const r of rows) out.push(line(r));
  return out.join('\n') + '\n';
}
