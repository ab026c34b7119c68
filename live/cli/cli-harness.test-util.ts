// Runs the live commands in-process the way research/cli.ts's main() does (tests of live may not import research).
import yargs from 'yargs';
import { liveCommands } from './commands.ts';
import type { LiveCliContext } from './context.ts';

export interface CliRun { code: number; out: string; err: string }

export async function runLiveCli(argv: string[], env: Record<string, string | undefined>, cwd: string): Promise<CliRun> {
  let out = '', err = '', exit = 0;
  const ctx: LiveCliContext = { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env, cwd, isTTY: false };
  let y = yargs(argv).strict().exitProcess(false).fail((msg, e) => { throw e ?? new Error(msg); });
  for (const c of liveCommands) y = c.register(y, ctx, (c2) => { exit = c2; });
  try {
    await y.parseAsync(argv);
  } catch (e) {
    const fam = (e as { family?: string }).family;
    err += `error: ${e instanceof Error ? e.message : String(e)}\n`;
    return { code: fam === 'usage' || fam === 'config' ? 2 : 1, out, err };
  }
  return { code: exit, out, err };
}
