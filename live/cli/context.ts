/**
 * The live CLI's view of the command context. Structurally the same as research/cli-context.ts (live may not import
 * research): the bin entry passes `liveCommands` to research's `main(argv, ctx, extra)`.
 */
import type { Argv } from 'yargs';
import { resolve } from 'node:path';

export interface LiveCliContext {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly isTTY: boolean;
}

export interface LiveCliCommand {
  readonly register: (y: Argv, ctx: LiveCliContext, setExit: (code: number) => void) => Argv;
}

/** Read once at the entry: TRADELAB_HOME (default .tradelab/ in the working directory) and LIVE_TRADING_ENABLED. */
export interface LiveEnv {
  readonly home: string;
  readonly cacheDir: string;
  readonly liveTradingEnabled: boolean;
}

export function liveEnv(ctx: LiveCliContext): LiveEnv {
  const home = resolve(ctx.cwd, ctx.env.TRADELAB_HOME || '.tradelab');
  return Object.freeze({ home, cacheDir: resolve(home, 'cache'), liveTradingEnabled: ctx.env.LIVE_TRADING_ENABLED === 'true' });
}

/** A plain text table: header row, then rows, columns padded to the widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const w = header.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, j) => (c ?? '').padEnd(w[j])).join('  ').trimEnd();
  return [line(header), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n') + '\n';
}
