// The import boundaries of docs/architecture.md are enforced by lint: prove the rules fire on violating code.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './shared-data.ts';

const eslint = new ESLint({ cwd: REPO_ROOT });

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [res] = await eslint.lintText(code, { filePath: `${REPO_ROOT}/${filePath}` });
  return res.messages.map((m) => m.ruleId ?? m.message);
}

describe('lint enforces the zones', () => {
  it('engine may import nothing else in the repo and no Node built-ins, and may not log or read the clock', async () => {
    expect(await ruleIds("import { loadCandles } from '../data/index.ts';\nexport const x = loadCandles;\n", 'engine/probe.ts')).toContain('no-restricted-imports');
    expect(await ruleIds("import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", 'engine/probe.ts')).toContain('no-restricted-imports');
    expect(await ruleIds("export const t = Date.now();\n", 'engine/probe.ts')).toContain('no-restricted-properties');
    expect(await ruleIds("export const r = Math.random();\n", 'engine/probe.ts')).toContain('no-restricted-properties');
    expect(await ruleIds("console.log(1);\n", 'engine/probe.ts')).toContain('no-console');
  });
  it('data may not import research or live; research and live may not import each other', async () => {
    expect(await ruleIds("import { main } from '../research/cli.ts';\nexport const x = main;\n", 'data/probe.ts')).toContain('no-restricted-imports');
    expect(await ruleIds("import { main } from '../research/cli.ts';\nexport const x = main;\n", 'live/probe.ts')).toContain('no-restricted-imports');
    expect(await ruleIds("import * as l from '../live/index.ts';\nexport const x = l;\n", 'research/probe.ts')).toContain('no-restricted-imports');
  });
  it('allowed imports pass', async () => {
    expect(await ruleIds("import { sma } from '../engine/index.ts';\nexport const x = sma;\n", 'data/probe.ts')).not.toContain('no-restricted-imports');
    expect(await ruleIds("import { loadCandles } from '../data/index.ts';\nexport const x = loadCandles;\n", 'research/probe.ts')).not.toContain('no-restricted-imports');
  });
});
