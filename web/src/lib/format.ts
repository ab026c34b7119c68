/** Number formatting for money, prices, percentages and times: one place, so every page reads the same. */

export function fmtNum(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Money with sign (+12.30 / −4.10). */
export function fmtPnl(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  const s = fmtNum(Math.abs(x), digits);
  return x > 0 ? `+${s}` : x < 0 ? `−${s}` : s;
}

/** A fraction as a percentage (0.123 → 12.30%). */
export function fmtPct(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  return `${fmtNum(x * 100, digits)}%`;
}

/** A price with enough significant digits for any market (BTC 97,123.4 or PEPE 0.00001234). */
export function fmtPrice(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  const a = Math.abs(x);
  const digits = a >= 1000 ? 2 : a >= 1 ? 4 : a === 0 ? 2 : Math.min(10, 3 - Math.floor(Math.log10(a)));
  return fmtNum(x, digits);
}

/** CSS class for a P&L value: profit (green), loss (red) or nothing. */
export function pnlClass(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x) || x === 0) return '';
  return x > 0 ? 'profit' : 'loss';
}

/** Epoch ms → 2026-11-21 08:00 UTC. */
export function fmtTime(ms: number | null | undefined, withSeconds = false): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, withSeconds ? 19 : 16)} UTC`;
}

export function fmtDate(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  return new Date(ms).toISOString().slice(0, 10);
}

/** 93784000 → 1d 2h 3m. */
export function fmtDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '–';
  const m = Math.floor(ms / 60_000);
  const d = Math.floor(m / 1440), h = Math.floor((m % 1440) / 60), mm = m % 60;
  return [d ? `${d}d` : '', h ? `${h}h` : '', `${mm}m`].filter(Boolean).join(' ');
}
