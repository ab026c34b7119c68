// The live commands of the tradelab CLI (registered by research/bin/tradelab.js).
export { liveCommands } from './commands.ts';
export { liveEnv, table, type LiveCliCommand, type LiveCliContext, type LiveEnv } from './context.ts';
