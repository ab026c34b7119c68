/**
 * Promotion evidence: what must be true before a backtest run becomes a paper bot, and before a paper bot goes live.
 * Pure reads of the results folder and the bot row, no side effects (routes/promotions.ts signs off and audits).
 *
 * The items, for a subject (a strategy with its parameters on a market and timeframe):
 *  - out-of-sample: a walk-forward run of the same strategy (id@version) on the same market and timeframe whose search space
 *    holds these parameters (each one in its grid, or fixed to the same value, or left at the same default), with
 *    stitched out-of-sample statistics (its stats.json);
 *  - lookahead: the newest `tradelab check lookahead` (results/<id>/lookahead.json) of the same strategy, parameters,
 *    market and timeframe is clean;
 *  - parity: the newest `tradelab parity` (results/<id>/parity.json) of the same is identical;
 *  - risk: at least one loss limit is set (stopLoss, drawdown, dailyLoss or weeklyLoss, pct or abs > 0);
 *  - budget: a budget > 0 is set.
 * Each research item names the result that proves it, or the background job (POST /api/jobs) that would produce it.
 * The market is matched by symbol and timeframe, not by exchange (candle files are often labelled 'unknown').
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isTradelabError } from '../../engine/errors.ts';
import { resolveBotStrategy } from '../bots/strategies.ts';
import type { BotRow } from '../state/types.ts';
import { httpError } from './errors.ts';

export type PromotionStage = 'paper' | 'live';
export type EvidenceId = 'out-of-sample' | 'lookahead' | 'parity' | 'risk' | 'budget';
export const EVIDENCE_IDS: readonly EvidenceId[] = ['out-of-sample', 'lookahead', 'parity', 'risk', 'budget'];
export const LOSS_LIMITS = ['stopLoss', 'drawdown', 'dailyLoss', 'weeklyLoss'] as const;

export interface JobRequest { readonly kind: string; readonly args: Record<string, unknown> }

export interface EvidenceItem {
  readonly id: EvidenceId;
  readonly label: string;
  readonly ok: boolean;
  /** What was found (or what is missing), for people. */
  readonly detail: string;
  /** The results folder that proves it (walk-forward run, check), when one exists. */
  readonly resultId: string | null;
  /** A background job (POST /api/jobs {kind, args}) producing the evidence, when the server can run it. */
  readonly job: JobRequest | null;
}

/** What is being promoted: one strategy with parameters on one market, and candles its checks can run on. */
export interface PromotionSubject {
  readonly source: 'run' | 'bot';
  readonly id: string;
  readonly strategy: { readonly id: string; readonly ref: string; readonly kind: string };
  readonly params: Readonly<Record<string, unknown>>;
  /** The first market (what the evidence is matched on). */
  readonly symbol: string;
  /** Every market the bot will trade (a multi-market order backtest has several). */
  readonly symbols: readonly string[];
  readonly timeframe: string;
  readonly exchange: string | null;
  /** Job args for candles (a file, or exchange/symbol/timeframe of cached candles) and the span, or null. */
  readonly data: { readonly file?: string; readonly exchange?: string; readonly symbol?: string; readonly timeframe?: string } | null;
  readonly from: string | null;
  readonly to: string | null;
  /** Run settings to carry into a bot (fee rate, slippage, fraction), from the run's manifest. */
  readonly settings: Readonly<Record<string, unknown>>;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Deep equality of JSON values (object key order ignored). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => sameJson(x, (b as unknown[])[i]));
  const ka = Object.keys(a as Json), kb = Object.keys(b as Json);
  return ka.length === kb.length && ka.every((k) => sameJson((a as Json)[k], (b as Json)[k]));
}

/** Every loss limit set (pct or abs > 0), e.g. ['drawdown 20%', 'dailyLoss 5%']. */
export function lossLimits(risk: unknown): string[] {
  const r = obj(risk);
  const out: string[] = [];
  for (const k of LOSS_LIMITS) {
    const v = obj(r[k]);
    const pct = num(v.pct), abs = num(v.abs);
    if (pct !== null && pct > 0) out.push(`${k} ${pct}%`);
    else if (abs !== null && abs > 0) out.push(`${k} ${abs} (quote)`);
  }
  return out;
}

const readJson = (p: string): Json | null => {
  try { return JSON.parse(readFileSync(p, 'utf8')) as Json; } catch { return null; }
};

/** The results folder, read lazily: manifests, stats, look-ahead and parity documents by folder (cached by mtime). */
export class ResultsIndex {
  readonly #cache = new Map<string, { mtimeMs: number; json: Json | null }>();
  constructor(private readonly root: () => string) {}

  #read(id: string, file: string): Json | null {
    const p = join(this.root(), id, file);
    let mtimeMs: number;
    try { mtimeMs = statSync(p).mtimeMs; } catch { return null; }
    const hit = this.#cache.get(p);
    if (hit && hit.mtimeMs === mtimeMs) return hit.json;
    const json = readJson(p);
    this.#cache.set(p, { mtimeMs, json });
    return json;
  }

  ids(): string[] {
    try { return readdirSync(this.root(), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name); } catch { return []; }
  }
  manifest(id: string): Json | null { return this.#read(id, 'manifest.json'); }
  stats(id: string): Json | null { return this.#read(id, 'stats.json'); }
  lookahead(id: string): Json | null { return this.#read(id, 'lookahead.json'); }
  parity(id: string): Json | null { return this.#read(id, 'parity.json'); }
}

/** The subject of a run's promotion to paper: a backtest's strategy, parameters, market and candles. */
export function subjectOfRun(runId: string, manifest: Json): PromotionSubject {
  const kind = str(manifest.kind);
  if (kind !== 'backtest' && kind !== 'order-backtest') {
    throw httpError('PROMOTION_SOURCE_INVALID', `only a backtest run becomes a paper bot; run '${runId}' is a ${kind ?? 'run without a kind'} (open the backtest of the parameters you chose)`);
  }
  const s = obj(manifest.strategy);
  const data = obj(manifest.data);
  // A multi-market order backtest lists its markets (each with its candle source) and joins the symbols in data.symbol.
  const markets = Array.isArray(data.markets) ? data.markets.map(obj) : [];
  const source = markets.length ? obj(markets[0].source) : obj(data.source);
  const symbols = markets.length ? markets.map((m) => str(m.symbol)).filter((x): x is string => x !== null)
    : Array.isArray(data.symbols) ? data.symbols.map(String) : (str(data.symbol) ?? '').split(',').filter(Boolean);
  const symbol = symbols[0];
  const timeframe = str(data.timeframe);
  if (!str(s.id) || !str(s.ref) || !symbol || !timeframe) {
    throw httpError('PROMOTION_SOURCE_INVALID', `run '${runId}' has no strategy id/ref, symbol or timeframe in its manifest.json; it cannot be promoted`);
  }
  const file = source.kind === 'file' ? str(source.path) : null;
  const exchange = str(data.exchange);
  const fill = obj(manifest.fillModel);
  const settings: Json = { timeframe };
  const feeRate = num(obj(manifest.fees).feeRate);
  if (feeRate !== null) settings.feeRate = feeRate;
  if (num(fill.slippageBps) !== null) settings.slippageBps = fill.slippageBps;
  if (num(fill.fraction) !== null) settings.fraction = fill.fraction;
  return {
    source: 'run', id: runId, strategy: { id: String(s.id), ref: String(s.ref), kind: str(s.kind) ?? 'signal' },
    params: obj(manifest.params), symbol, symbols, timeframe, exchange: exchange === 'unknown' ? null : exchange,
    data: file ? { file } : exchange && exchange !== 'unknown' ? { exchange, symbol, timeframe } : null,
    from: str(data.from), to: str(data.to), settings,
  };
}

/** The subject of a paper bot's promotion to live: its strategy, parameters, first market, timeframe and candles. */
export function subjectOfBot(bot: BotRow, runner: Json | null): PromotionSubject {
  let strategy: { id: string; ref: string; kind: string };
  try {
    const s = resolveBotStrategy(bot.strategy);
    strategy = { id: s.id, ref: s.ref, kind: s.kind };
  } catch (e) {
    if (!isTradelabError(e)) throw e;
    strategy = { id: bot.strategy.split('@')[0], ref: bot.strategy, kind: 'signal' };
  }
  const r = obj(runner);
  const timeframe = str(r.timeframe) ?? '1h';
  const d = obj(r.data);
  const file = str(d.file);
  const iso = (t: unknown) => (num(t) !== null ? new Date(t as number).toISOString() : null);
  return {
    source: 'bot', id: bot.id, strategy, params: bot.params, symbol: bot.symbols[0], symbols: bot.symbols, timeframe, exchange: bot.exchange,
    data: file ? { file } : { exchange: bot.exchange, symbol: bot.symbols[0], timeframe },
    from: iso(d.from), to: iso(d.to), settings: r,
  };
}

/** Does a walk-forward's search space hold `params` (grid values, fixed values, or the same defaults)? */
export function searchHolds(manifest: Json, params: Readonly<Record<string, unknown>>, defaults: Readonly<Record<string, unknown>>): boolean {
  const grid = Array.isArray(manifest.grid) ? (manifest.grid as Json[]) : [];
  const fixed = obj(manifest.fixedParams);
  for (const [k, v] of Object.entries(params)) {
    const g = grid.find((x) => x.name === k);
    if (g) { if (!(Array.isArray(g.values) && g.values.some((x) => sameJson(x, v)))) return false; continue; }
    if (k in fixed) { if (!sameJson(fixed[k], v)) return false; continue; }
    if (!sameJson(defaults[k], v)) return false;
  }
  return true;
}

const sameMarket = (data: Json, s: PromotionSubject) =>
  (data.symbol === s.symbol || (Array.isArray(data.symbols) && data.symbols[0] === s.symbol)) && data.timeframe === s.timeframe;
const fmt = (x: unknown, d = 2) => (num(x) === null ? 'n/a' : (x as number).toFixed(d));
const created = (j: Json) => str(j.createdAt) ?? '';
const span = (s: PromotionSubject) => (s.from || s.to ? { ...(s.from ? { from: s.from } : {}), ...(s.to ? { to: s.to } : {}) } : {});

/** Job args of a check on the subject's candles, or null when it has none the server can read. */
function checkJob(kind: 'check-lookahead' | 'parity', s: PromotionSubject): JobRequest | null {
  if (!s.data) return null;
  const params: Json = {};
  for (const [k, v] of Object.entries(s.params)) if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') params[k] = v;
  // The CLI takes the strategy id (this code's version; results record theirs and must match the subject's ref).
  const args: Json = { strategy: s.strategy.id, params, data: { ...s.data }, ...span(s) };
  if (kind === 'parity') {
    const fill: Json = {};
    for (const k of ['feeRate', 'slippageBps', 'fraction'] as const) if (num(s.settings[k]) !== null) fill[k] = s.settings[k];
    if (Object.keys(fill).length) args.fill = fill;
  }
  return { kind, args };
}

/** A walk-forward job for exactly these parameters (each numeric one a one-value grid), windows from the span. */
function walkForwardJob(s: PromotionSubject): JobRequest | null {
  if (!s.data || s.strategy.kind !== 'signal') return null;
  const grid: Record<string, string> = {};
  const params: Json = {};
  for (const [k, v] of Object.entries(s.params)) {
    if (typeof v === 'number') grid[k] = String(v);
    else if (typeof v === 'boolean' || typeof v === 'string') params[k] = v;
  }
  if (!Object.keys(grid).length) return null;
  const days = s.from && s.to ? Math.max(3, Math.floor((Date.parse(s.to) - Date.parse(s.from)) / 86_400_000)) : 180;
  const test = Math.max(1, Math.floor(days / 6));
  return { kind: 'walk-forward', args: { strategy: s.strategy.id, params, grid, data: { ...s.data }, ...span(s), train: `${2 * test}d`, test: `${test}d` } };
}

/** The research evidence (out-of-sample, look-ahead, parity) of a subject, from the results folder. */
export function researchEvidence(results: ResultsIndex, s: PromotionSubject): EvidenceItem[] {
  let defaults: Readonly<Record<string, unknown>> = {};
  try { defaults = resolveBotStrategy(s.strategy.id).resolveParams({}); } catch (e) { if (!isTradelabError(e)) throw e; }
  let wf: { id: string; m: Json; st: Json } | null = null;
  let la: { id: string; j: Json } | null = null;
  let pa: { id: string; j: Json } | null = null;
  for (const id of results.ids()) {
    const m = results.manifest(id);
    if (m && m.kind === 'walk-forward' && obj(m.strategy).ref === s.strategy.ref && sameMarket(obj(m.data), s) && searchHolds(m, s.params, defaults)) {
      const st = results.stats(id);
      if (st && num(st.returnPct) !== null && (!wf || created(m) > created(wf.m))) wf = { id, m, st };
    }
    for (const [file, set] of [['lookahead', (x: { id: string; j: Json }) => { if (!la || created(x.j) > created(la.j)) la = x; }], ['parity', (x: { id: string; j: Json }) => { if (!pa || created(x.j) > created(pa.j)) pa = x; }]] as const) {
      const j = file === 'lookahead' ? results.lookahead(id) : results.parity(id);
      if (j && obj(j.strategy).ref === s.strategy.ref && sameJson(obj(j.params), s.params) && sameMarket(obj(j.data), s)) set({ id, j });
    }
  }
  const what = `${s.strategy.id} (${Object.entries(s.params).map(([k, v]) => `${k}=${String(v)}`).join(' ') || 'defaults'}) on ${s.symbol} ${s.timeframe}`;
  const items: EvidenceItem[] = [];
  if (wf) {
    const folds = obj(wf.m.windows).folds;
    items.push({ id: 'out-of-sample', label: 'Out-of-sample result', ok: true, resultId: wf.id, job: null,
      detail: `walk-forward ${wf.id}: ${String(folds ?? '?')} folds, out-of-sample return ${fmt(wf.st.returnPct)}%, Sharpe ${fmt(wf.st.sharpe)}, max drawdown ${fmt(wf.st.maxDrawdownPct)}%, ${String(wf.st.trades ?? '?')} trades` });
  } else {
    items.push({ id: 'out-of-sample', label: 'Out-of-sample result', ok: false, resultId: null, job: walkForwardJob(s),
      detail: `no walk-forward of ${what} whose search holds these parameters` });
  }
  const laDoc = la as { id: string; j: Json } | null;
  if (laDoc) {
    const j = laDoc.j;
    const clean = j.clean === true;
    const causes = Array.isArray(j.causes) ? (j.causes as Json[]) : [];
    items.push({ id: 'lookahead', label: 'Look-ahead check passed', ok: clean, resultId: laDoc.id, job: clean ? null : checkJob('check-lookahead', s),
      detail: clean
        ? `clean: ${String(obj(j.cuts).tested ?? '?')} cuts over ${String(obj(j.data).bars ?? '?')} bars (check ${laDoc.id})`
        : `look-ahead found: ${String(j.findingsTotal ?? '?')} findings${causes[0] ? `, first cause ${String(causes[0].blame)}` : ''} (check ${laDoc.id})` });
  } else {
    items.push({ id: 'lookahead', label: 'Look-ahead check passed', ok: false, resultId: null, job: checkJob('check-lookahead', s), detail: `no look-ahead check of ${what}` });
  }
  const paDoc = pa as { id: string; j: Json } | null;
  if (paDoc) {
    const j = paDoc.j;
    const same = j.identical === true;
    items.push({ id: 'parity', label: 'Parity check passed', ok: same, resultId: paDoc.id, job: same ? null : checkJob('parity', s),
      detail: same
        ? `identical: ${String(j.backtestFills)} backtest fills = ${String(j.replayFills)} replay fills over ${String(obj(j.data).bars ?? '?')} bars (check ${paDoc.id})`
        : `${String(j.differencesTotal ?? '?')} differences between the backtest and the replay bot (check ${paDoc.id})` });
  } else {
    items.push({ id: 'parity', label: 'Parity check passed', ok: false, resultId: null, job: checkJob('parity', s), detail: `no parity check of ${what}` });
  }
  return items;
}

/** Risk and budget items for what will run. */
export function moneyEvidence(risk: unknown, budget: number | null | undefined): EvidenceItem[] {
  const limits = lossLimits(risk);
  return [
    { id: 'risk', label: 'Risk limits set', ok: limits.length > 0, resultId: null, job: null,
      detail: limits.length ? limits.join(', ') : `no loss limit: set at least one of ${LOSS_LIMITS.join(', ')}` },
    { id: 'budget', label: 'Budget set', ok: typeof budget === 'number' && budget > 0, resultId: null, job: null,
      detail: typeof budget === 'number' && budget > 0 ? `${budget} (quote)` : 'no budget: set the quote amount the bot may use' },
  ];
}

/** 'lookahead (no look-ahead check of …); risk (…)' for a 409. */
export function missingText(items: readonly EvidenceItem[]): string {
  return items.filter((i) => !i.ok).map((i) => `${i.label.toLowerCase()}: ${i.detail}`).join('; ');
}
