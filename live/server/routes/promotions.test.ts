// Promotion with sign-off on real results: a backtest of sma-cross on BTC/USDT 1h, then the walk-forward, look-ahead
// check and parity check run as the background jobs the checklist names (the real CLI writes their results). Evidence missing → 409 with each item; roles; audit rows for sign-offs and
// refusals; the paper bot made from the run; live refused while LIVE_TRADING_ENABLED is false, allowed when true.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BTC_1H, SHARED_DATA, sharedFile } from '../../../test-support/shared-data.ts';
import { runCli, tempDir } from '../../../test-support/cli.ts';
import { JobManager, type JobView } from '../jobs.ts';
import { makeHarness, T0, type Harness } from '../server-harness.test-util.ts';
import { ResultsIndex, researchEvidence, subjectOfRun, searchHolds, lossLimits } from '../promotions.ts';

const FILE = sharedFile(BTC_1H);
const SPAN = ['--from', '2022-01-01', '--to', '2022-03-01'];
interface Item { id: string; ok: boolean; detail: string; resultId: string | null; job: { kind: string; args: Record<string, unknown> } | null }
interface Evidence { stage: string; signOffRole: string; ready: boolean; liveTradingEnabled: boolean; evidence: Item[]; subject: Record<string, unknown>; history: { action: string; actor: string }[] }
interface Err { error: { code: string; message: string; details: { missing?: { id: string }[] } | null } }

describe('promotions', () => {
  const dir = tempDir('tl-promo-');
  const results = join(dir, 'results');
  let h: Harness;
  let live: Harness;
  let runId: string;
  beforeAll(async () => {
    const r = await runCli(['backtest', '--strategy', 'sma-cross', '--data', FILE, ...SPAN, '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    runId = (JSON.parse(r.stdout) as { manifest: { runId: string } }).manifest.runId;
    h = await makeHarness({ env: { TRADELAB_RESULTS: results } });
    live = await makeHarness({ env: { TRADELAB_RESULTS: results, LIVE_TRADING_ENABLED: 'true' } });
  }, 120_000);
  afterAll(async () => { await h?.close(); await live?.close(); });

  const get = (x: Harness, url: string, role: 'viewer' | 'operator' | 'admin' = 'viewer') => x.app.inject({ method: 'GET', url, headers: x.auth(role) });
  const post = (x: Harness, url: string, body: unknown, role: 'viewer' | 'operator' | 'admin') => x.app.inject({ method: 'POST', url, payload: body as object, headers: x.auth(role) });
  const paperBody = { name: 'sma-paper', exchange: 'binance', budget: 1000, risk: { drawdown: { pct: 20 }, dailyLoss: { pct: 5 } }, note: 'walk-forward holds up' };

  it('lists what is missing for a fresh run, with the jobs that would produce it', async () => {
    const r = await get(h, `/api/promotions/run/${runId}`);
    expect(r.statusCode).toBe(200);
    const e = r.json<Evidence>();
    expect(e).toMatchObject({ stage: 'paper', signOffRole: 'operator', ready: false, liveTradingEnabled: false });
    expect(e.subject).toMatchObject({ source: 'run', id: runId, symbol: 'BTC/USDT', timeframe: '1h', params: { fast: 10, slow: 30 }, strategy: { id: 'sma-cross', ref: 'sma-cross@1.0.0' } });
    expect(e.evidence.map((i) => [i.id, i.ok])).toEqual([['out-of-sample', false], ['lookahead', false], ['parity', false]]);
    const [oos, la, pa] = e.evidence;
    expect(la.job).toEqual({ kind: 'check-lookahead', args: { strategy: 'sma-cross', params: { fast: 10, slow: 30 }, data: { file: FILE }, from: '2022-01-01T00:00:00.000Z', to: '2022-03-01T00:00:00.000Z' } });
    expect(pa.job).toEqual({ kind: 'parity', args: { strategy: 'sma-cross', params: { fast: 10, slow: 30 }, data: { file: FILE }, from: '2022-01-01T00:00:00.000Z', to: '2022-03-01T00:00:00.000Z', fill: { feeRate: 0.001, slippageBps: 0, fraction: 1 } } });
    expect(oos.job).toMatchObject({ kind: 'walk-forward', args: { strategy: 'sma-cross', grid: { fast: '10', slow: '30' }, train: '18d', test: '9d', data: { file: FILE } } });
    expect(la.detail).toBe('no look-ahead check of sma-cross (fast=10 slow=30) on BTC/USDT 1h');
  });

  it('refuses the sign-off with each missing item (409), for operators only, and audits the refusal', async () => {
    expect((await post(h, `/api/promotions/run/${runId}`, paperBody, 'viewer')).statusCode).toBe(403);
    const r = await post(h, `/api/promotions/run/${runId}`, paperBody, 'operator');
    expect(r.statusCode).toBe(409);
    const err = r.json<Err>().error;
    expect(err.code).toBe('PROMOTION_EVIDENCE_MISSING');
    expect(err.message).toMatch(/cannot become a paper bot yet: out-of-sample result: no walk-forward .*; look-ahead check passed: no look-ahead check .*; parity check passed: no parity check/);
    expect(err.details!.missing!.map((m) => m.id)).toEqual(['out-of-sample', 'lookahead', 'parity']);
    const audit = h.store.journal.listAudit({ entity: 'promotion', entityId: `run:${runId}` });
    expect(audit.map((a) => [a.action, a.actor])).toEqual([['api.promotion.paper.refused', 'operator']]);
    expect(h.store.bots.list().some((b) => b.name === 'sma-paper')).toBe(false);
    const bad = await post(h, `/api/promotions/run/${runId}`, { ...paperBody, budget: -1, risk: { drawdown: { pct: 0 } } }, 'operator');
    expect(bad.statusCode).toBe(400);
    expect(bad.json<Err>().error.message).toMatch(/body\.budget/);
  });

  it('runs the jobs the checklist names (the real CLI), finds their results, then creates the paper bot', async () => {
    const before = (await get(h, `/api/promotions/run/${runId}`)).json<Evidence>();
    const jobs = new JobManager({ maxConcurrent: 3, childEnv: { TRADELAB_HOME: join(dir, 'home'), TRADELAB_RESULTS: results }, env: { sampleDataDir: SHARED_DATA }, cwd: dir });
    const done: Record<string, JobView> = {};
    try {
      const started = before.evidence.map((i) => [i.id, jobs.create(i.job!.kind, i.job!.args, 'operator').id] as const);
      await jobs.whenIdle();
      for (const [item, id] of started) done[item] = jobs.get(id)!;
    } finally { await jobs.close(); }
    for (const j of Object.values(done)) expect(j, j.error ?? '').toMatchObject({ status: 'done', error: null });
    const e = (await get(h, `/api/promotions/run/${runId}`)).json<Evidence>();
    expect(e.ready).toBe(true);
    const byId = Object.fromEntries(e.evidence.map((i) => [i.id, i]));
    expect(byId['out-of-sample']).toMatchObject({ ok: true, resultId: done['out-of-sample'].resultRunId, job: null });
    expect(byId['out-of-sample'].detail).toMatch(/^walk-forward .*: \d+ folds, out-of-sample return -?\d+\.\d\d%, Sharpe/);
    expect(byId.lookahead).toMatchObject({ ok: true, resultId: done.lookahead.resultRunId });
    expect(byId.lookahead.detail).toMatch(/^clean: \d+ cuts over \d+ bars/);
    expect(byId.parity).toMatchObject({ ok: true, resultId: done.parity.resultRunId });

    // Risk and budget come with the sign-off: no loss limit → refused.
    const noRisk = await post(h, `/api/promotions/run/${runId}`, { ...paperBody, risk: {} }, 'operator');
    expect(noRisk.statusCode).toBe(409);
    expect(noRisk.json<Err>().error.details!.missing!.map((m) => m.id)).toEqual(['risk']);
    const badEx = await post(h, `/api/promotions/run/${runId}`, { ...paperBody, exchange: 'nowhere' }, 'operator');
    expect(badEx.statusCode).toBe(404);
    expect(badEx.json<Err>().error.message).toMatch(/exchange 'nowhere' is not configured; configured: binance/);

    const ok = await post(h, `/api/promotions/run/${runId}`, paperBody, 'operator');
    expect(ok.statusCode, ok.body).toBe(201);
    const bot = ok.json<{ bot: { id: string; mode: string; strategy: string; params: unknown; symbols: string[]; budget: number; risk: unknown } }>().bot;
    expect(bot).toMatchObject({ mode: 'paper', strategy: 'sma-cross@1.0.0', params: { fast: 10, slow: 30 }, symbols: ['BTC/USDT'], budget: 1000, risk: paperBody.risk });
    const audit = h.store.journal.listAudit({ entity: 'promotion', entityId: `run:${runId}` });
    expect(audit.map((a) => a.action)).toEqual(['api.promotion.paper.refused', 'api.promotion.paper.refused', 'api.promotion.paper.refused', 'api.promotion.paper']);
    expect(audit[3].after).toMatchObject({ botId: bot.id, signedOffBy: 'operator', role: 'operator', note: 'walk-forward holds up' });
    expect((audit[3].after as { evidence: { id: string; ok: boolean }[] }).evidence.map((i) => i.ok)).toEqual([true, true, true, true, true]);
    expect(h.store.journal.listAudit({ entity: 'bot', entityId: bot.id }).some((a) => a.action === 'api.bot.create')).toBe(true);
    expect((await get(h, `/api/promotions/run/${runId}`)).json<Evidence>().history.map((x) => x.action)).toContain('api.promotion.paper');
  }, 120_000);

  it('refuses live promotion while LIVE_TRADING_ENABLED is false, says so and audits it; admin only', async () => {
    const bot = h.store.bots.list().find((b) => b.name === 'sma-paper')!;
    const e = (await get(h, `/api/promotions/bot/${bot.id}`)).json<Evidence>();
    expect(e).toMatchObject({ stage: 'live', signOffRole: 'admin', ready: true, liveTradingEnabled: false });
    expect(e.evidence.map((i) => i.id)).toEqual(['out-of-sample', 'lookahead', 'parity', 'risk', 'budget']);
    expect(e.evidence.find((i) => i.id === 'risk')!.detail).toBe('drawdown 20%, dailyLoss 5%');
    expect((await post(h, `/api/promotions/bot/${bot.id}`, { inPlace: true }, 'operator')).statusCode).toBe(403);
    const r = await post(h, `/api/promotions/bot/${bot.id}`, { inPlace: true }, 'admin');
    expect(r.statusCode).toBe(409);
    expect(r.json<Err>().error).toMatchObject({ code: 'LIVE_TRADING_DISABLED' });
    expect(r.json<Err>().error.message).toMatch(/live trading is disabled on this server \(LIVE_TRADING_ENABLED is false\)/);
    expect(h.store.bots.require(bot.id).mode).toBe('paper');
    const audit = h.store.journal.listAudit({ entity: 'promotion', entityId: `bot:${bot.id}` });
    expect(audit.map((a) => [a.action, a.actor])).toEqual([['api.promotion.live.refused', 'admin']]);
    // Only paper bots go live; unknown runs and bots are 404s; a walk-forward is not promotable.
    const replay = await get(h, '/api/promotions/bot/beta');
    expect(replay.statusCode).toBe(400);
    expect(replay.json<Err>().error.message).toMatch(/only a paper bot goes live; bot 'beta' is a replay bot/);
    expect((await get(h, '/api/promotions/bot/nobody')).statusCode).toBe(404);
    const missingRun = await get(h, '/api/promotions/run/20990101T000000Z-none');
    expect(missingRun.statusCode).toBe(404);
    expect(missingRun.json<Err>().error.code).toBe('RUN_NOT_FOUND');
    const wfRun = new ResultsIndex(() => results).ids().find((id) => id.includes('-wf-'))!;
    const notBacktest = await get(h, `/api/promotions/run/${wfRun}`);
    expect(notBacktest.statusCode).toBe(400);
    expect(notBacktest.json<Err>().error.message).toMatch(/only a backtest run becomes a paper bot; .* is a walk-forward/);
  });

  it('promotes a paper bot with evidence when live trading is enabled; without a loss limit it is refused', async () => {
    const good = live.store.bots.create({ name: 'p1', strategy: 'sma-cross@1.0.0', params: { fast: 10, slow: 30 }, symbols: ['BTC/USDT'], exchange: 'binance', mode: 'paper', budget: 500, risk: { stopLoss: { pct: 3 } } }, 'test', T0);
    const bare = live.store.bots.create({ name: 'p2', strategy: 'sma-cross@1.0.0', params: { fast: 10, slow: 30 }, symbols: ['BTC/USDT'], exchange: 'binance', mode: 'paper', budget: 500 }, 'test', T0);
    const refused = await post(live, `/api/promotions/bot/${bare.id}`, { inPlace: true }, 'admin');
    expect(refused.statusCode).toBe(409);
    expect(refused.json<Err>().error.code).toBe('PROMOTION_EVIDENCE_MISSING');
    expect(refused.json<Err>().error.details!.missing!.map((m) => m.id)).toEqual(['risk']);
    const noName = await post(live, `/api/promotions/bot/${good.id}`, { inPlace: false }, 'admin');
    expect(noName.statusCode).toBe(400);
    const r = await post(live, `/api/promotions/bot/${good.id}`, { inPlace: true, note: 'paper ran a month' }, 'admin');
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json<{ mode: string }>().mode).toBe('live');
    const audit = live.store.journal.listAudit({ entity: 'promotion', entityId: `bot:${good.id}` });
    expect(audit.map((a) => a.action)).toEqual(['api.promotion.live']);
    expect(audit[0].after).toMatchObject({ botId: good.id, inPlace: true, signedOffBy: 'admin', note: 'paper ran a month' });
    expect(live.store.journal.listAudit({ entity: 'bot', entityId: good.id }).some((a) => a.action === 'api.bot.promote')).toBe(true);
  });

  it('reads a dirty look-ahead check as failed and matches walk-forward search spaces', () => {
    const idx = new ResultsIndex(() => results);
    const s = subjectOfRun(runId, idx.manifest(runId)!);
    const laId = idx.ids().find((id) => id.includes('check-lookahead'))!;
    const dirty = join(results, `${laId}-dirty`);
    mkdirSync(dirty);
    const doc = JSON.parse(readFileSync(join(results, laId, 'lookahead.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dirty, 'lookahead.json'), JSON.stringify({ ...doc, createdAt: '2999-01-01T00:00:00.000Z', clean: false, findingsTotal: 3, causes: [{ blame: "indicator 'smaFast'" }] }));
    const la = researchEvidence(idx, s).find((i) => i.id === 'lookahead')!;
    expect(la).toMatchObject({ ok: false, resultId: `${laId}-dirty` });
    expect(la.detail).toBe(`look-ahead found: 3 findings, first cause indicator 'smaFast' (check ${laId}-dirty)`);
    expect(la.job?.kind).toBe('check-lookahead');
    const m = { grid: [{ name: 'fast', values: [8, 10] }], fixedParams: { slow: 30 } };
    expect(searchHolds(m, { fast: 10, slow: 30 }, {})).toBe(true);
    expect(searchHolds(m, { fast: 12, slow: 30 }, {})).toBe(false);
    expect(searchHolds({ grid: [{ name: 'fast', values: [10] }] }, { fast: 10, slow: 30 }, { slow: 30 })).toBe(true);
    expect(searchHolds({ grid: [{ name: 'fast', values: [10] }] }, { fast: 10, slow: 40 }, { slow: 30 })).toBe(false);
    expect(lossLimits({ stopLoss: { abs: 50 }, drawdown: { pct: 0 }, kelly: { fraction: 1 } })).toEqual(['stopLoss 50 (quote)']);
    // A multi-market order backtest (its manifest's shape): every market becomes the bot's, the first one's candles feed the checks.
    const grid = subjectOfRun('g1', {
      kind: 'backtest', strategy: { id: 'grid', ref: 'grid@1.0.0', kind: 'orders' }, params: { gridStepPct: 0.33 },
      data: { exchange: 'binance', symbol: 'BTC/USDT,ETH/USDT', timeframe: '1h', from: '2021-01-01T00:00:00.000Z', to: '2021-03-31T00:00:00.000Z',
        markets: [{ source: { kind: 'file', path: FILE }, symbol: 'BTC/USDT' }, { source: { kind: 'file', path: '/x/ETH_USDT-1h.json' }, symbol: 'ETH/USDT' }] },
    });
    expect(grid).toMatchObject({ symbol: 'BTC/USDT', symbols: ['BTC/USDT', 'ETH/USDT'], exchange: 'binance', data: { file: FILE }, strategy: { kind: 'orders' } });
    expect(researchEvidence(idx, grid).find((i) => i.id === 'out-of-sample')!.job).toBeNull(); // walk-forwards run signal strategies only
  });
});
