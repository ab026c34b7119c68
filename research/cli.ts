/**
 * The `tradelab` command line (yargs, strict). Entry: research/bin/tradelab.js → main(argv).
 * Exit codes: 0 success, 1 runtime error, 2 bad usage (unknown strategy, param, timeframe, file...),
 * always with a message that says what was wrong and what is allowed.
 */
import yargs from 'yargs';
import { isTradelabError } from '../engine/index.ts';
import type { CliCommand, CliContext } from './cli-context.ts';
import { commands } from './commands/index.ts';

export function defaultContext(): CliContext {
  return {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    env: process.env,
    cwd: process.cwd(),
    isTTY: Boolean(process.stderr.isTTY),
  };
}

/** Map any thrown value to an exit code and a message. */
export function exitCodeFor(e: unknown): number {
  if (isTradelabError(e)) return e.family === 'usage' || e.family === 'config' ? 2 : 1;
  return 1;
}

export async function main(argv: string[], ctx: CliContext = defaultContext(), extra: readonly CliCommand[] = []): Promise<number> {
  let exit = 0;
  const setExit = (c: number) => { exit = c; };
  let usageFailure: string | undefined;
  let y = yargs(argv)
    .scriptName('tradelab')
    .strict()
    .demandCommand(1, 'name a command; see `tradelab --help`')
    .recommendCommands()
    .help()
    .version(false)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      usageFailure = msg;
      throw new Error(msg); // stop here: otherwise yargs still runs the command's handler with the bad arguments
    })
    .exitProcess(false);
  for (const c of [...commands, ...extra]) y = c.register(y, ctx, setExit);
  let helpText = '';
  try {
    await y.parseAsync(argv, {}, (_err, _argv, output) => { helpText = output; });
  } catch (e) {
    if (usageFailure !== undefined) {
      ctx.stderr(`error: ${usageFailure}\nRun 'tradelab --help' for the commands and their options.\n`);
      return 2;
    }
    const code = exitCodeFor(e);
    const msg = e instanceof Error ? e.message : String(e);
    ctx.stderr(`error: ${msg}\n`);
    if (code === 1 && !isTradelabError(e) && e instanceof Error && e.stack && ctx.env.TRADELAB_DEBUG) ctx.stderr(e.stack + '\n');
    return code;
  }
  if (usageFailure !== undefined) {
    ctx.stderr(`error: ${usageFailure}\nRun 'tradelab --help' for the commands and their options.\n`);
    return 2;
  }
  if (helpText) ctx.stdout(helpText + '\n');
  return exit;
}
