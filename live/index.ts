// live/: the live runner (issue 5). Entry points import from here; nothing else imports live.
export * from './bots/index.ts';
export * from './runtime/index.ts';
export { liveCommands, liveEnv, type LiveCliCommand, type LiveCliContext, type LiveEnv } from './cli/index.ts';
