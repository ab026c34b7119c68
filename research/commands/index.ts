// Every CLI command, one module each. Add new commands here.
import type { CliCommand } from '../cli-context.ts';
import { dataCommand } from './data.ts';
import { fetchCommand } from './fetch.ts';

export const commands: CliCommand[] = [dataCommand, fetchCommand];
