import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sharedFile, BTC_1H } from '../../test-support/shared-data.ts';
import { fileLogger } from '../runtime/logger.ts';
import { runLiveCli } from './cli-harness.test-util.ts';

const FILE = sharedFile(BTC_1H);
const homes: string[] = [];
afterEach(() => { for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true }); });
function home(): string { const h = mkdtempSync(join(tmpdir(), 'tl-cli-')); homes.push(h); return h; }

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => { const p = join(dir, n); return statSync(p).isDirectory() ? filesUnder(p) : [p]; });
}

describe('tradelab live commands', () => {
  it('bot create / list / show / pause / stop / start, tables and --json', async () => {
    const h = home();
    const env = { TRADELAB_HOME: h };
    const c = await runLiveCli(['bot', 'create', 'b1', '--strategy', 'sma-cross', '--param', 'fast=5', '--param', 'slow=15', '--symbol', 'BTC/USDT', '--data', FILE, '--from', '2022-01-01', '--to', '2022-01-20', '--running-time', '3d'], env, h);
    expect(c).toMatchObject({ code: 0 });
    expect(c.out).toMatch(/created bot b1 \(replay, sma-cross@1.0.0, BTC\/USDT\)/);
    const list = await runLiveCli(['bot', 'list'], env, h);
    expect(list.out).toMatch(/^id\s+mode\s+status/);
    expect(list.out).toMatch(/b1\s+replay\s+created\s+sma-cross@1.0.0/);
    const j = JSON.parse((await runLiveCli(['bot', 'list', '--json'], env, h)).out) as { id: string; params: unknown }[];
    expect(j[0]).toMatchObject({ id: 'b1', params: { fast: 5, slow: 15 } });
    expect((await runLiveCli(['bot', 'pause', 'b1'], env, h)).code).toBe(2); // created → paused is not allowed
    const start = await runLiveCli(['bot', 'start', 'b1'], env, h);
    expect(start.code).toBe(0);
    expect(start.out).toMatch(/b1\s+stopped\s+end-of-data/);
    const show = JSON.parse((await runLiveCli(['bot', 'show', 'b1', '--json'], env, h)).out) as { fills: number; settings: { runningTime: string } };
    expect(show.fills).toBeGreaterThan(0);
    expect(show.settings.runningTime).toBe('3d');
    const bad = await runLiveCli(['bot', 'create', 'b2', '--strategy', 'sma-crosss', '--symbol', 'X/Y'], env, h);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/unknown strategy 'sma-crosss'/);
    expect((await runLiveCli(['bot', 'create', 'b3', '--strategy', 'sma-cross', '--symbol', 'X/Y', '--running-time', '3 days'], env, h)).err).toMatch(/30m, 12h, 3d, 2w, 1mo/);
    // several symbols: one strategy instance each, one budget (--symbols is --symbol's other name)
    const multi = await runLiveCli(['bot', 'create', 'b5', '--strategy', 'grid', '--symbols', 'BTC/USDT,ETH/USDT', '--budget', '5000'], env, h);
    expect(multi.out).toMatch(/created bot b5 \(replay, grid@1.0.0, BTC\/USDT,ETH\/USDT\)/);
    expect(JSON.parse((await runLiveCli(['bot', 'show', 'b5', '--json'], env, h)).out).bot).toMatchObject({ symbols: ['BTC/USDT', 'ETH/USDT'], budget: 5000 });
    const live = await runLiveCli(['bot', 'create', 'b4', '--strategy', 'sma-cross', '--symbol', 'X/Y', '--mode', 'live'], env, h);
    expect([live.code, live.err]).toEqual([2, expect.stringMatching(/LIVE_TRADING_ENABLED=true/)]);
  });

  it('replay with a --risk rotation: bot show lists the rotation and the pause; a bad rotation is a usage error', async () => {
    const h = home();
    const env = { TRADELAB_HOME: h };
    const risk = JSON.stringify({ rotation: { maxConsecutiveLosses: 2, maxRotations: 1, candidates: [{ strategy: 'sma-cross', params: { fast: 5, slow: 20 } }] } });
    const r = await runLiveCli(['replay', '--strategy', 'sma-cross', '--param', 'fast=3', '--param', 'slow=8', '--symbol', 'BTC/USDT', '--data', FILE, '--from', '2021-01-01', '--to', '2021-01-31', '--name', 'rot1', '--risk', risk], env, h);
    expect(r.code).toBe(0);
    const show = await runLiveCli(['bot', 'show', 'rot1'], env, h);
    expect(show.out).toMatch(/rotate\s+sma-cross@1.0.0\s+sma-cross@1.0.0 \{"fast":5,"slow":20\}\s+2 losing trades in a row on sma-cross@1.0.0/);
    expect(show.out).toMatch(/pause\s+sma-cross@1.0.0 \{"fast":5,"slow":20\}\s+-\s+.*1 of 1 rotations used/);
    const j = JSON.parse((await runLiveCli(['bot', 'show', 'rot1', '--json'], env, h)).out) as { rotations: { action: string }[] };
    expect(j.rotations.map((x) => x.action)).toEqual(['rotate', 'pause']);
    const bad = await runLiveCli(['bot', 'create', 'rot2', '--strategy', 'sma-cross', '--symbol', 'BTC/USDT', '--risk', JSON.stringify({ rotation: { maxConsecutiveLosses: 2, maxRotations: 1, candidates: [{ strategy: 'nope' }] } })], env, h);
    expect([bad.code, bad.err]).toEqual([2, expect.stringMatching(/rotation.candidates\[0\] \(nope\): unknown strategy 'nope'/)]);
  });

  it('parity exits 0 on identical runs and prints the counts; replay runs a bot in one step', async () => {
    const h = home();
    const p = await runLiveCli(['parity', '--strategy', 'sma-cross', '--data', FILE, '--from', '2022-03-01', '--to', '2022-04-01', '--slippage-bps', '2'], { TRADELAB_HOME: h }, h);
    expect(p.code).toBe(0);
    expect(p.out).toMatch(/identical: every order and fill matches/);
    const pj = JSON.parse((await runLiveCli(['parity', '--strategy', 'sma-cross', '--data', FILE, '--from', '2022-03-01', '--to', '2022-04-01', '--json'], { TRADELAB_HOME: h }, h)).out) as { identical: boolean; backtestFills: number };
    expect(pj.identical).toBe(true);
    expect(pj.backtestFills).toBeGreaterThan(5);
    // grid: onFill orders inside the bar of their fill, the same in the replay bot as in the backtest
    const g = await runLiveCli(['parity', '--strategy', 'grid', '--data', FILE, '--from', '2022-03-01', '--to', '2022-03-15', '--json'], { TRADELAB_HOME: h }, h);
    const gj = JSON.parse(g.out) as { identical: boolean; backtestFills: number; differences: unknown[] };
    expect([g.code, gj.differences.length]).toEqual([0, 0]);
    expect(gj.backtestFills).toBeGreaterThan(20);
    const r = await runLiveCli(['replay', '--strategy', 'ema-cross', '--symbol', 'BTC/USDT', '--data', FILE, '--from', '2022-03-01', '--to', '2022-04-01', '--name', 'r1', '--json'], { TRADELAB_HOME: h }, h);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)[0]).toMatchObject({ botId: 'r1', status: 'stopped', outcome: { end: 'end-of-data' } });
    // paper bots are wired in (runtime/venues.ts; run offline in runtime/venues.test.ts): a wrong exchange fails first
    const paper = await runLiveCli(['paper', '--strategy', 'sma-cross', '--symbol', 'BTC/USDT', '--exchange', 'binanse', '--name', 'p1'], { TRADELAB_HOME: h }, h);
    expect(paper.code).toBe(2);
    expect(paper.err).toMatch(/unknown exchange 'binanse'.*binance/);
    expect(JSON.parse((await runLiveCli(['bot', 'list', '--json'], { TRADELAB_HOME: h }, h)).out).map((b: { id: string }) => b.id)).toEqual(['r1']);
  });

  it('a live bot does not start unless LIVE_TRADING_ENABLED is true in the environment of the process that runs it', async () => {
    const h = home();
    const made = await runLiveCli(['bot', 'create', 'l1', '--mode', 'live', '--strategy', 'sma-cross', '--symbol', 'BTC/USDT'], { TRADELAB_HOME: h, LIVE_TRADING_ENABLED: 'true' }, h);
    expect(made.code).toBe(0);
    const start = await runLiveCli(['bot', 'start', 'l1', '--json'], { TRADELAB_HOME: h, LIVE_TRADING_ENABLED: 'false' }, h);
    expect(start.code).toBe(1);
    expect(JSON.parse(start.out)[0]).toMatchObject({ botId: 'l1', status: 'created' });
    expect(JSON.parse(start.out)[0].error).toMatch(/LIVE_TRADING_ENABLED is not true/);
  });

  it('secrets: a run with keys in the environment leaves neither key nor secret in logs, results or the database', async () => {
    const h = home();
    const KEY = 'AKIAZZKEY1234567890abcdef', SECRET = 'sEcReT-9f8e7d6c5b4a3210-zz';
    // the names tradelab reads (live/secrets) and the bare ones, in case anything read those
    const env = { TRADELAB_HOME: h, TRADELAB_BINANCE_API_KEY: KEY, TRADELAB_BINANCE_SECRET: SECRET, BINANCE_API_KEY: KEY, BINANCE_SECRET: SECRET, TRADELAB_SECRETS_DIR: undefined };
    const outputs: string[] = [];
    for (const argv of [
      ['replay', '--strategy', 'sma-cross', '--symbol', 'BTC/USDT', '--exchange', 'binance', '--data', FILE, '--from', '2022-03-01', '--to', '2022-04-01', '--name', 's1'],
      ['bot', 'show', 's1', '--json'], ['bot', 'list', '--json'], ['kill-all'],
      ['bot', 'create', 's2', '--strategy', 'sma-cross', '--symbol', 'BTC/USDT', '--risk', JSON.stringify({ apiKey: KEY })],
    ]) {
      const r = await runLiveCli(argv, env, h);
      outputs.push(r.out, r.err);
    }
    // A log event carrying credential-like fields is redacted.
    fileLogger(join(h, 'logs', 'probe.jsonl'))({ event: 'probe', apiKey: KEY, nested: { secret: SECRET } });
    expect(outputs.join('')).toMatch(/unknown risk setting 'apiKey'/);
    const files = filesUnder(h);
    expect(files.some((f) => f.endsWith('tradelab.db'))).toBe(true);
    expect(files.some((f) => f.includes('logs'))).toBe(true);
    for (const f of files) {
      const bytes = readFileSync(f).toString('latin1');
      expect(bytes.includes(KEY), f).toBe(false);
      expect(bytes.includes(SECRET), f).toBe(false);
    }
    for (const o of outputs) { expect(o.includes(KEY)).toBe(false); expect(o.includes(SECRET)).toBe(false); }
  });
});
