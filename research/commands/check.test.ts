// `tradelab check lookahead|warmup` end to end on real BTC/USDT 1h: built-ins pass, planted cheaters given as user
// strategy files are caught and named (exit 1), results are written, bad usage exits 2.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinStrategies } from '../../engine/index.ts';
import { runCli, tempDir } from '../../test-support/cli.ts';
import { BTC_1H, sharedFile } from '../../test-support/shared-data.ts';

const data = () => sharedFile(BTC_1H);

describe('tradelab check lookahead', () => {
  for (const s of builtinStrategies) {
    it(`${s.id} passes on BTC/USDT 1h (exit 0, result written)`, async () => {
      const dir = tempDir();
      const r = await runCli(['check', 'lookahead', '--strategy', s.id, '--data', data(), '--cuts', '15', '--json'], dir);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.clean).toBe(true);
      expect(out.findingsTotal).toBe(0);
      expect(out.cuts.tested).toBe(15);
      expect(out.simulated).toBe(true);
      expect(out.strategy.ref).toBe(s.ref);
      const file = join(dir, 'results', out.checkId, 'lookahead.json');
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(out);
    });
  }

  it('catches a centred-SMA cheater given as a file and names the indicator (exit 1)', async () => {
    const r = await runCli(['check', 'lookahead', '--strategy', './research/checks/fixtures/centred-cheat.ts', '--data', data(), '--cuts', '12'], tempDir());
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('LOOK-AHEAD FOUND');
    expect(r.stdout).toMatch(/indicator 'centred'\s+\d+/);
    expect(r.stdout).not.toContain("indicator 'trend'");
    expect(r.stdout).not.toContain('rule (decide)');
    const m = /Result: (\S+lookahead\.json)/.exec(r.stdout);
    expect(m && existsSync(m[1])).toBe(true);
  });

  it('catches a rule reading the next bar, blames the rule at the cut bar (--json, exit 1)', async () => {
    const r = await runCli(['check', 'lookahead', '--strategy', './research/checks/fixtures/next-bar-cheat.ts', '--data', data(), '--cuts', '12', '--seed', '4', '--json'], tempDir());
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.clean).toBe(false);
    expect(out.causes.map((c: { blame: string }) => c.blame)).toEqual(['rule (decide)']);
    for (const f of out.findings) {
      expect(f.blame).toBe('rule (decide)');
      expect(f.bar).toBe(f.cut);
      expect(f.indicators).toEqual([]);
    }
    expect(out.strategy.source.kind).toBe('file');
  });

  it('catches a rule that peeks only while in a position through the simulator layer; --no-simulate misses it', async () => {
    const args = ['check', 'lookahead', '--strategy', './research/checks/fixtures/position-cheat.ts', '--data', data(), '--cuts', '12'];
    const r = await runCli([...args, '--json'], tempDir());
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.simulated).toBe(true);
    expect(out.findings).toEqual([expect.objectContaining({ path: 'simulated', blame: 'rule (decide)', detail: expect.any(String) })]);
    const text = await runCli(args, tempDir());
    expect(text.stdout).toContain('simulator at cut');
    const off = await runCli([...args, '--no-simulate', '--json'], tempDir());
    expect(off.code).toBe(0);
    expect(JSON.parse(off.stdout)).toMatchObject({ clean: true, simulated: false });
  });

  it('bad usage exits 2', async () => {
    const dir = tempDir();
    const unknown = await runCli(['check', 'lookahead', '--strategy', 'sma-crss', '--data', data()], dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Did you mean 'sma-cross'");
    const param = await runCli(['check', 'lookahead', '--strategy', 'sma-cross', '--data', data(), '--param', 'fsat=3'], dir);
    expect(param.code).toBe(2);
    expect(param.stderr).toContain("unknown parameter 'fsat'");
    const cuts = await runCli(['check', 'lookahead', '--strategy', 'sma-cross', '--data', data(), '--cuts', '0'], dir);
    expect(cuts.code).toBe(2);
    expect(cuts.stderr).toContain('--cuts');
    const none = await runCli(['check', 'lookahead', '--strategy', 'sma-cross'], dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--data');
    const sub = await runCli(['check', 'lookhead', '--strategy', 'sma-cross', '--data', data()], dir);
    expect(sub.code).toBe(2);
  });
});

describe('tradelab check warmup', () => {
  it('sma-cross: SMA needs exactly its period, the declared warm-up covers it (exit 0)', async () => {
    const dir = tempDir();
    const r = await runCli(['check', 'warmup', '--strategy', 'sma-cross', '--param', 'fast=7', '--param', 'slow=40', '--data', data(), '--json'], dir);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.indicators.map((x: { name: string; needed: number }) => [x.name, x.needed])).toEqual([['fast', 7], ['slow', 40]]);
    expect(out).toMatchObject({ declared: 40, longest: 40, ok: true, tolerance: 1e-6 });
    expect(existsSync(join(dir, 'results', out.checkId, 'warmup.json'))).toBe(true);
  });

  it('an EMA strategy declaring only its period: warns with the warm-up to declare (exit 1)', async () => {
    const r = await runCli(['check', 'warmup', '--strategy', './research/checks/fixtures/short-warmup.ts', '--data', data()], tempDir());
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/declared warm-up: 26 bars; longest need: \d+ bars/);
    const need = Number(/longest need: (\d+)/.exec(r.stdout)![1]);
    expect(need).toBeGreaterThan(2 * 26);
    expect(r.stdout).toContain(`Declare warmup >= ${need}`);
  });

  it('a looser --tolerance shortens the need', async () => {
    const dir = tempDir();
    const tight = JSON.parse((await runCli(['check', 'warmup', '--strategy', 'rsi-reversion', '--data', data(), '--json'], dir)).stdout);
    const loose = JSON.parse((await runCli(['check', 'warmup', '--strategy', 'rsi-reversion', '--data', data(), '--tolerance', '0.01', '--json'], dir)).stdout);
    expect(loose.longest).toBeLessThan(tight.longest);
  });

  it('bad usage exits 2', async () => {
    const r = await runCli(['check', 'warmup', '--strategy', 'sma-cross', '--data', data(), '--tolerance', '-1'], tempDir());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--tolerance');
  });
});
