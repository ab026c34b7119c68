/**
 * What every CLI command receives: its output streams, environment and working directory. Commands never
 * touch process.* directly, so tests run them in-process (`main(argv, ctx)`) and read what they printed.
 */
import type { Argv } from 'yargs';

export interface CliContext {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** True when stderr is a terminal (progress bars); false in CI and tests (plain lines). */
  readonly isTTY: boolean;
}

/** A command module: registers itself on the yargs instance; its handler resolves to an exit code (0 by default). */
export interface CliCommand {
  readonly register: (y: Argv, ctx: CliContext, setExit: (code: number) => void) => Argv;
}
