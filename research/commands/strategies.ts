// `tradelab strategies`: every strategy with its version, parameters, defaults and bounds (--json: the schemas).
import { describeParam, type AnyStrategy } from '../../engine/index.ts';
import type { CliCommand } from '../cli-context.ts';
import { allBuiltins } from '../strategy-registry.ts';
import { table } from '../format.ts';
import { toJson } from '../json.ts';

interface PropInfo { default?: unknown; description?: string }

export function strategyInfo(s: AnyStrategy) {
  return {
    id: s.id, version: s.version, kind: s.kind, description: s.description,
    warmup: s.warmup(s.resolveParams({})),
    params: s.params,
    constraints: s.constraints.map((c) => c.expr),
  };
}

export const strategiesCommand: CliCommand = {
  register: (y, ctx) =>
    y.command(
      'strategies',
      'list the built-in strategies with their parameters, defaults and bounds',
      (b) => b.option('json', { type: 'boolean', default: false, describe: 'print the strategies and their JSON Schemas' }),
      (argv) => {
        const all = allBuiltins();
        if (argv.json) { ctx.stdout(toJson(all.map(strategyInfo)) + '\n'); return; }
        for (const s of all) {
          ctx.stdout(`\n${s.id}@${s.version}  (${s.kind})  ${s.description}\n`);
          const rows = Object.entries(s.params.properties).map(([k, p]) => [
            '  ' + k, String((p as PropInfo).default), describeParam(p), (p as PropInfo).description ?? '']);
          if (rows.length) ctx.stdout(table(rows, { header: ['  param', 'default', 'allowed', 'meaning'] }));
          if (s.constraints.length) ctx.stdout(`  constraints: ${s.constraints.map((c) => c.expr).join(', ')}\n`);
          ctx.stdout(`  warm-up: ${s.warmup(s.resolveParams({}))} bars with the defaults\n`);
        }
        ctx.stdout(`\nRun one: tradelab backtest --strategy <id> --data <file> [--param name=value]\n`);
      },
    ),
};
