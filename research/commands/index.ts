// Every CLI command, one module each. Add new commands here.
import type { CliCommand } from '../cli-context.ts';
import { backtestCommand } from './backtest.ts';
import { checkCommand } from './check.ts';
import { dataCommand } from './data.ts';
import { demoCommand } from './demo.ts';
import { fetchCommand } from './fetch.ts';
import { montecarloCommand } from './montecarlo.ts';
import { strategiesCommand } from './strategies.ts';

export const commands: CliCommand[] = [backtestCommand, dataCommand, demoCommand, fetchCommand, strategiesCommand];
commands.push(checkCommand, montecarloCommand);
