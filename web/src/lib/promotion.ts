/**
 * Promotion pages' shared logic: the server's evidence types (GET /api/promotions/run/:id and /bot/:id), the risk
 * form → RiskConfig, the risk and budget items the sign-off form supplies (the server re-checks them on POST with the
 * same rule: at least one loss limit, budget > 0), and running a missing check as a background job.
 */
import { errorText } from './api.ts';
import { followJob, startJob, type Job } from './jobs.ts';

export type EvidenceId = 'out-of-sample' | 'lookahead' | 'parity' | 'risk' | 'budget';
export interface JobRequest { kind: string; args: Record<string, unknown> }
export interface EvidenceItem { id: EvidenceId; label: string; ok: boolean; detail: string; resultId: string | null; job: JobRequest | null }
export interface BotView {
  id: string; name: string; strategy: string; params: Record<string, unknown>; symbols: string[]; exchange: string; mode: string; status: string;
  budget: number; risk: Record<string, unknown>; runUntil: number | null; createdAt: number; updatedAt: number;
}
export interface PromotionEvidence {
  stage: 'paper' | 'live';
  signOffRole: 'operator' | 'admin';
  subject: { source: 'run' | 'bot'; id: string; strategy: { id: string; ref: string; kind: string }; params: Record<string, unknown>; symbol: string; symbols: string[]; timeframe: string; exchange: string | null; from: string | null; to: string | null };
  evidence: EvidenceItem[];
  fromSignOff: string[];
  ready: boolean;
  liveTradingEnabled: boolean;
  bot: BotView | null;
  history: { id: number; ts: number; actor: string; action: string; after: unknown }[];
}
/** A background job as GET /api/jobs/:id returns it (lib/jobs.ts). */
export type JobView = Job;
/** What the checklist shows for an item's job: the job, or 'starting' until POST /api/jobs answers. */
export type CheckJobState = JobView | { status: 'starting' };

export const LOSS_LIMITS = [
  { key: 'stopLoss', label: 'Stop loss per trade (%)' },
  { key: 'drawdown', label: 'Max drawdown (%)' },
  { key: 'dailyLoss', label: 'Daily loss limit (%)' },
  { key: 'weeklyLoss', label: 'Weekly loss limit (%)' },
] as const;
export type LossKey = (typeof LOSS_LIMITS)[number]['key'];

/** Percent fields (strings from inputs; empty = unset) → RiskConfig with {pct} limits. */
export function riskFromForm(form: Readonly<Partial<Record<LossKey, string | number | null>>>): Record<string, { pct: number }> {
  const out: Record<string, { pct: number }> = {};
  for (const { key } of LOSS_LIMITS) {
    const raw = form[key];
    const v = typeof raw === 'number' ? raw : raw === null || raw === undefined || String(raw).trim() === '' ? Number.NaN : Number(raw);
    if (Number.isFinite(v) && v > 0) out[key] = { pct: v };
  }
  return out;
}

/** The risk and budget items of what the sign-off will create (same wording as the server's). */
export function moneyItems(risk: Readonly<Record<string, { pct?: number; abs?: number }>>, budget: number | null): EvidenceItem[] {
  const limits: string[] = [];
  for (const { key } of LOSS_LIMITS) {
    const r = risk[key];
    if (r?.pct && r.pct > 0) limits.push(`${key} ${r.pct}%`);
    else if (r?.abs && r.abs > 0) limits.push(`${key} ${r.abs} (quote)`);
  }
  return [
    { id: 'risk', label: 'Risk limits set', ok: limits.length > 0, resultId: null, job: null, detail: limits.length ? limits.join(', ') : 'no loss limit: set at least one of stopLoss, drawdown, dailyLoss, weeklyLoss' },
    { id: 'budget', label: 'Budget set', ok: budget !== null && budget > 0, resultId: null, job: null, detail: budget !== null && budget > 0 ? `${budget} (quote)` : 'no budget: set the quote amount the bot may use' },
  ];
}

/**
 * Starts a job and resolves when it finishes (lib/jobs.ts: job.done on the websocket, or polling GET /api/jobs/:id
 * every `pollMs` when the socket misses it). `onProgress` sees each state.
 */
export async function runJob(req: JobRequest, onProgress: (j: JobView) => void = () => {}, pollMs = 1000): Promise<JobView> {
  return followJob(await startJob(req.kind, req.args), onProgress, pollMs);
}

/**
 * Runs the job that would produce a missing evidence item, reporting its state by item id through `set` (a job that
 * could not be started is shown as failed with the reason). Resolves with the finished job, or null.
 */
export async function runEvidenceJob(item: EvidenceItem, set: (id: string, s: CheckJobState) => void): Promise<JobView | null> {
  if (!item.job) return null;
  set(item.id, { status: 'starting' });
  try {
    const j = await runJob(item.job, (p) => set(item.id, p));
    set(item.id, j);
    return j;
  } catch (e) {
    set(item.id, { id: '', kind: item.job.kind, status: 'failed', progress: 0, message: 'failed', args: item.job.args, resultRunId: null, error: errorText(e) });
    return null;
  }
}

/** Where a result id points in the UI: a walk-forward is a run page; a check folder has no page of its own. */
export function resultHref(item: EvidenceItem): string | null {
  return item.id === 'out-of-sample' && item.resultId ? `/runs/${encodeURIComponent(item.resultId)}` : null;
}
