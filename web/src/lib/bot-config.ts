/**
 * A bot's editable configuration as a form (budget, running time, risk limits, runner settings, replay data) and
 * back to what POST /api/bots and PATCH /api/bots/:id take. Risk keys the form does not show (kelly, volatility,
 * apiErrors, per-market caps) are kept as they were. Validation names what is wrong and what is allowed; the server
 * validates again (engine/risk validateRiskConfig, live/bots validateSettings).
 */
import type { BotMode } from './bots.ts';

export interface BotConfigForm {
  budget: number | null;
  /** Running time in hours; null = until stopped. */
  runningHours: number | null;
  stopLossPct: number | null;
  drawdownPct: number | null;
  dailyLossPct: number | null;
  weeklyLossPct: number | null;
  maxOpenOrders: number | null;
  compound: boolean;
  timeframe: string;
  /** Simulated fills (replay, paper): fee in percent of notional, slippage in bps. */
  feePct: number | null;
  slippageBps: number | null;
  /** Replay: candle file (blank = the candle cache), range as YYYY-MM-DD (UTC), speed ('max' or × real time). */
  dataFile: string;
  from: string;
  to: string;
  speed: string;
}

export const TIMEFRAMES = ['1m', '5m', '15m', '30m', '1h', '4h', '1d'] as const;
const HOUR = 3_600_000;

type Risk = Record<string, unknown>;
type Settings = Record<string, unknown>;

const pctOf = (x: unknown): number | null => {
  const p = (x as { pct?: unknown } | undefined)?.pct;
  return typeof p === 'number' ? p : null;
};
const day = (ms: unknown): string => (typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : '');

export function emptyConfigForm(budget: number | null = 1000, timeframe = '1h', feeRate = 0.001): BotConfigForm {
  return {
    budget, runningHours: null, stopLossPct: null, drawdownPct: null, dailyLossPct: null, weeklyLossPct: null, maxOpenOrders: null, compound: false,
    timeframe, feePct: feeRate * 100, slippageBps: 0, dataFile: '', from: '', to: '', speed: '60',
  };
}

/** The form of an existing bot (GET /api/bots/:id: budget, risk, settings). */
export function formFromBot(bot: { budget: number; risk: Risk; settings: Settings | null }): BotConfigForm {
  const r = bot.risk ?? {};
  const s = bot.settings ?? {};
  const data = (s.data ?? {}) as { file?: string; from?: number; to?: number };
  const oo = r.openOrders as { maxTotal?: unknown } | undefined;
  return {
    budget: bot.budget,
    runningHours: typeof s.runningMs === 'number' ? s.runningMs / HOUR : null,
    stopLossPct: pctOf(r.stopLoss), drawdownPct: pctOf(r.drawdown), dailyLossPct: pctOf(r.dailyLoss), weeklyLossPct: pctOf(r.weeklyLoss),
    maxOpenOrders: typeof oo?.maxTotal === 'number' ? oo.maxTotal : null,
    compound: (r.wallet as { compound?: unknown } | undefined)?.compound === true,
    timeframe: typeof s.timeframe === 'string' ? s.timeframe : '1h',
    feePct: typeof s.feeRate === 'number' ? s.feeRate * 100 : null,
    slippageBps: typeof s.slippageBps === 'number' ? s.slippageBps : null,
    dataFile: data.file ?? '', from: day(data.from), to: day(data.to),
    speed: s.speed === undefined ? 'max' : String(s.speed),
  };
}

/** Risk config from the form over `base` (keys the form does not show are kept; an emptied limit is removed). */
export function riskFromForm(f: BotConfigForm, base: Risk = {}): Risk {
  const out: Risk = { ...base };
  const pct = (key: string, v: number | null) => {
    if (v === null || v === undefined) delete out[key];
    else out[key] = { pct: v };
  };
  pct('stopLoss', f.stopLossPct);
  pct('drawdown', f.drawdownPct);
  pct('dailyLoss', f.dailyLossPct);
  pct('weeklyLoss', f.weeklyLossPct);
  const oo = { ...((base.openOrders as Record<string, unknown> | undefined) ?? {}) };
  if (f.maxOpenOrders === null || f.maxOpenOrders === undefined) delete oo.maxTotal;
  else oo.maxTotal = f.maxOpenOrders;
  if (Object.keys(oo).length) out.openOrders = oo;
  else delete out.openOrders;
  const wallet = { ...((base.wallet as Record<string, unknown> | undefined) ?? {}) };
  if (f.compound) wallet.compound = true;
  else delete wallet.compound;
  if (Object.keys(wallet).length) out.wallet = wallet;
  else delete out.wallet;
  return out;
}

/** `YYYY-MM-DD` (UTC midnight) → epoch ms; undefined when blank. */
export function dayMs(s: string): number | undefined {
  if (!s.trim()) return undefined;
  const t = Date.parse(`${s.trim()}T00:00:00Z`);
  return Number.isFinite(t) ? t : undefined;
}

/** Runner settings from the form (replay data and speed only for replay bots). */
export function settingsFromForm(f: BotConfigForm, mode: BotMode): Settings {
  const out: Settings = {
    timeframe: f.timeframe,
    runningMs: f.runningHours === null || f.runningHours === undefined ? null : Math.round(f.runningHours * HOUR),
  };
  if (f.feePct !== null && f.feePct !== undefined) out.feeRate = f.feePct / 100;
  if (f.slippageBps !== null && f.slippageBps !== undefined) out.slippageBps = f.slippageBps;
  if (mode === 'replay') {
    const data: Record<string, unknown> = {};
    if (f.dataFile.trim()) data.file = f.dataFile.trim();
    const from = dayMs(f.from), to = dayMs(f.to);
    if (from !== undefined) data.from = from;
    if (to !== undefined) data.to = to;
    out.data = data;
    out.speed = f.speed.trim() === 'max' ? 'max' : Number(f.speed);
  }
  return out;
}

/** Errors by form key (empty when the form can be sent). */
export function validateConfigForm(f: BotConfigForm, mode: BotMode): Record<string, string> {
  const e: Record<string, string> = {};
  const n = (x: number | null | undefined) => x !== null && x !== undefined;
  if (!n(f.budget) || !(f.budget! > 0)) e.budget = 'budget must be a positive amount of quote currency';
  if (n(f.runningHours) && !(f.runningHours! > 0)) e.runningHours = 'running time must be more than 0 hours (or blank: until stopped)';
  for (const [k, label] of [['stopLossPct', 'stop loss'], ['drawdownPct', 'max drawdown'], ['dailyLossPct', 'daily loss limit'], ['weeklyLossPct', 'weekly loss limit']] as const) {
    if (n(f[k]) && !(f[k]! > 0 && f[k]! < 100)) e[k] = `${label} must be a percentage between 0 and 100 (or blank: none)`;
  }
  if (n(f.maxOpenOrders) && !(Number.isInteger(f.maxOpenOrders) && f.maxOpenOrders! >= 1)) e.maxOpenOrders = 'max open orders must be a whole number ≥ 1 (or blank: the default 490)';
  if (n(f.feePct) && !(f.feePct! >= 0 && f.feePct! < 100)) e.feePct = 'fee must be a percentage in [0, 100)';
  if (n(f.slippageBps) && !(f.slippageBps! >= 0 && f.slippageBps! < 10_000)) e.slippageBps = 'slippage must be basis points in [0, 10000)';
  if (mode === 'replay') {
    const sp = f.speed.trim();
    if (sp !== 'max' && !(Number(sp) > 0)) e.speed = "speed must be 'max' or a positive multiple of real time (e.g. 3600 = an hour of candles per second)";
    const from = dayMs(f.from), to = dayMs(f.to);
    if (f.from.trim() && from === undefined) e.from = 'from must be a date YYYY-MM-DD';
    if (f.to.trim() && to === undefined) e.to = 'to must be a date YYYY-MM-DD';
    if (from !== undefined && to !== undefined && to <= from) e.to = 'to must be after from';
  }
  return e;
}
