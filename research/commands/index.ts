// Every CLI command, one module each. Add new commands here.
import type { CliCommand } from '../cli-context.ts';
import { backtestCommand } from './backtest.ts';
import { checkCommand } from './check.ts';
import { dataCommand } from './data.ts';
import { demoCommand } from './demo.ts';
import { fetchCommand } from './fetch.ts';
import { montecarloCommand } from './montecarlo.ts';
import { strategiesCommand } from './strategies.ts';
import { sweepCommand } from './sweep.ts';
import { walkForwardCommand } from './walk-forward.ts';

export const commands: CliCommand[] = [backtestCommand, dataCommand, demoCommand, fetchCommand, strategiesCommand, sweepCommand, walkForwardCommand];
commands.push(checkCommand, montecarloCommand);
