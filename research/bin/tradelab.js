#!/usr/bin/env node
// Entry point of the `tradelab` command. Runs the TypeScript CLI directly through tsx (no build step).
// research/ may not import live/, so the entry point joins them: the live commands (bot, kill-all, replay, paper,
// parity) come from live/cli and `serve` from live/server; they are passed to main() as extra commands.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli.ts');
const { liveCommands } = await import('../../live/cli/index.ts');
// `tradelab serve` (live/server): registered the same way; the server itself is imported only when it runs.
const { serverCommands } = await import('../../live/server/serve-command.ts');
process.exitCode = await main(process.argv.slice(2), undefined, [...liveCommands, ...serverCommands]);
