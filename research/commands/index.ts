// Every CLI command, one module each. Add new commands here.
import type { CliCommand } from '../cli-context.ts';

export const commands: CliCommand[] = [];
