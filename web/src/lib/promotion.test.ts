import { afterEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { setFetch } from './api.ts';
import { live } from './live.svelte.ts';
import { moneyItems, resultHref, riskFromForm, runJob, type EvidenceItem, type JobView } from './promotion.ts';
import EvidenceChecklist from './components/EvidenceChecklist.svelte';

const job = (over: Partial<JobView>): JobView => ({ id: 'job-1', kind: 'parity', status: 'queued', progress: 0, message: '', args: {}, resultRunId: null, error: null, ...over });

describe('promotion helpers', () => {
  afterEach(() => setFetch((...a) => fetch(...a)));

  it('turns the loss-limit fields into a RiskConfig and says what is set', () => {
    const risk = riskFromForm({ stopLoss: '', drawdown: '20', dailyLoss: '0', weeklyLoss: 'x' });
    expect(risk).toEqual({ drawdown: { pct: 20 } });
    expect(moneyItems(risk, 1000).map((i) => [i.id, i.ok, i.detail])).toEqual([['risk', true, 'drawdown 20%'], ['budget', true, '1000 (quote)']]);
    const none = moneyItems({}, 0);
    expect(none.map((i) => i.ok)).toEqual([false, false]);
    expect(none[0].detail).toMatch(/set at least one of stopLoss, drawdown, dailyLoss, weeklyLoss/);
  });

  it('runs a job and resolves on its job.done event', async () => {
    const posted: unknown[] = [];
    setFetch(async (url, init) => {
      if (url === '/api/jobs' && init?.method === 'POST') { posted.push(JSON.parse(String(init.body))); return new Response(JSON.stringify(job({}))); }
      return new Response(JSON.stringify(job({ status: 'running', progress: 0.5 })));
    });
    const seen: string[] = [];
    const p = runJob({ kind: 'parity', args: { strategy: 'sma-cross' } }, (j) => seen.push(j.status), 60_000);
    await new Promise((r) => setTimeout(r, 0));
    live.dispatch({ topic: 'job.progress', ts: 1, data: { ...job({ id: 'other', status: 'done' }) } });
    live.dispatch({ topic: 'job.done', ts: 2, data: { ...job({ status: 'done', progress: 1, resultRunId: 'chk-1' }) } });
    const done = await p;
    expect(done).toMatchObject({ status: 'done', resultRunId: 'chk-1' });
    expect(posted).toEqual([{ kind: 'parity', args: { strategy: 'sma-cross' } }]);
    expect(seen).toEqual(['queued', 'done']);
  });

  it('falls back to polling when the websocket says nothing', async () => {
    let polls = 0;
    setFetch(async (url, init) => {
      if (init?.method === 'POST') return new Response(JSON.stringify(job({})));
      polls++;
      return new Response(JSON.stringify(job(polls < 2 ? { status: 'running' } : { status: 'failed', error: 'no candles' })));
    });
    expect(await runJob({ kind: 'parity', args: {} }, () => {}, 10)).toMatchObject({ status: 'failed', error: 'no candles' });
  });

  it('links a walk-forward result to its run page only', () => {
    const base: EvidenceItem = { id: 'out-of-sample', label: 'x', ok: true, detail: '', resultId: 'wf-1', job: null };
    expect(resultHref(base)).toBe('/runs/wf-1');
    expect(resultHref({ ...base, id: 'parity' })).toBeNull();
  });
});

describe('EvidenceChecklist', () => {
  const items: EvidenceItem[] = [
    { id: 'out-of-sample', label: 'Out-of-sample result', ok: true, detail: 'walk-forward wf-1: 4 folds', resultId: 'wf-1', job: null },
    { id: 'parity', label: 'Parity check passed', ok: false, detail: 'no parity check of sma-cross', resultId: null, job: { kind: 'parity', args: {} } },
  ];

  it('shows each item, links the walk-forward, and runs a missing check', async () => {
    const ran: string[] = [];
    render(EvidenceChecklist, { items, onrun: (i: EvidenceItem) => ran.push(i.id) });
    expect(screen.getByTestId('evidence-out-of-sample').dataset.ok).toBe('true');
    expect(screen.getByRole('link', { name: 'Open the walk-forward' }).getAttribute('href')).toBe('/runs/wf-1');
    await fireEvent.click(screen.getByRole('button', { name: 'Run parity check' }));
    expect(ran).toEqual(['parity']);
  });

  it('disables the run buttons with the reason, and shows a running job', () => {
    render(EvidenceChecklist, { items, runDenied: 'Running a check needs the operator role; you are viewer', jobs: { parity: job({ status: 'running', progress: 0.4 }) } });
    const b = screen.getByRole('button', { name: 'Run parity check' }) as HTMLButtonElement;
    expect(b.disabled).toBe(true);
    expect(b.title).toMatch(/needs the operator role/);
    expect(screen.getByTestId('job-parity').textContent).toMatch(/running 40%/);
  });
});

describe('PromoteLink', () => {
  it('links a backtest to paper promotion and a paper bot to live promotion, nothing else', async () => {
    const { default: PromoteLink } = await import('./components/PromoteLink.svelte');
    const a = render(PromoteLink, { run: { id: 'r 1', kind: 'backtest' } });
    expect(screen.getByRole('link', { name: 'Promote to paper' }).getAttribute('href')).toBe('/promote/r%201');
    a.unmount();
    const b = render(PromoteLink, { bot: { id: 'b1', mode: 'paper' } });
    expect(screen.getByRole('link', { name: 'Promote to live' }).getAttribute('href')).toBe('/promote/bot/b1');
    b.unmount();
    render(PromoteLink, { bot: { id: 'b2', mode: 'replay' } });
    render(PromoteLink, { run: { id: 's', kind: 'sweep' } });
    expect(screen.queryByTestId('promote-link')).toBeNull();
  });
});
