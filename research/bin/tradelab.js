#!/usr/bin/env node
// Entry point of the `tradelab` command. Runs the TypeScript CLI directly through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli.ts');
process.exitCode = await main(process.argv.slice(2));
