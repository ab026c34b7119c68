// Run the tradelab CLI in-process with captured output and a throw-away TRADELAB_HOME / results folder.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../research/cli.ts';
import type { CliContext } from '../research/cli-context.ts';
import { REPO_ROOT, SHARED_DATA } from './shared-data.ts';

export interface CliRun { code: number; stdout: string; stderr: string }

export function tempDir(prefix = 'tradelab-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A capturing context: env has TRADELAB_HOME and TRADELAB_RESULTS in `dir`, TRADELAB_SAMPLE_DATA set. */
export function captureContext(dir: string, cwd = REPO_ROOT): CliContext & { out: string[]; err: string[] } {
  const out: string[] = [], err: string[] = [];
  return {
    out, err,
    stdout: (s) => { out.push(s); },
    stderr: (s) => { err.push(s); },
    env: { TRADELAB_HOME: join(dir, 'home'), TRADELAB_RESULTS: join(dir, 'results'), TRADELAB_SAMPLE_DATA: SHARED_DATA },
    cwd,
    isTTY: false,
  };
}

export async function runCli(argv: string[], dir: string, cwd = REPO_ROOT): Promise<CliRun> {
  const ctx = captureContext(dir, cwd);
  const code = await main(argv, ctx);
  return { code, stdout: ctx.out.join(''), stderr: ctx.err.join('') };
}
