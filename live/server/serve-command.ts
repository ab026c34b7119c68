/**
 * `tradelab serve [--host 127.0.0.1] [--port 8080]`: the API server (state under TRADELAB_HOME). Registered by the
 * bin entry (research/bin/tradelab.js) like the live commands. The server code is imported only when the command
 * runs, so other commands do not pay for Fastify. Stops gracefully on SIGINT / SIGTERM.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LiveCliCommand } from '../cli/context.ts';
import { usageError, isTradelabError } from '../../engine/errors.ts';

export interface ServeSignals {
  /** Resolves when the process should stop (default: the first SIGINT or SIGTERM). */
  readonly stopped: () => Promise<string>;
}

const processSignals: ServeSignals = {
  stopped: () => new Promise((res) => {
    const on = (sig: string) => { process.off('SIGINT', on); process.off('SIGTERM', on); res(sig); };
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  }),
};

/** The shipped defaults (this repository's config/). */
export const PACKAGED_CONFIG_DIR = resolve(import.meta.dirname, '../../config');

/** --config, else TRADELAB_CONFIG_DIR, else ./config when it exists, else the shipped config/. */
export function configDirFor(flag: string | undefined, env: Readonly<Record<string, string | undefined>>, cwd: string): string {
  if (flag) return resolve(cwd, flag);
  if (env.TRADELAB_CONFIG_DIR) return resolve(cwd, env.TRADELAB_CONFIG_DIR);
  const local = resolve(cwd, 'config');
  return existsSync(local) ? local : PACKAGED_CONFIG_DIR;
}

export function serveCommand(signals: ServeSignals = processSignals): LiveCliCommand {
  return {
    register: (y, ctx, setExit) => y.command('serve', 'Run the API server (REST + websocket, docs at /api/docs)', (a) => a
      .option('host', { type: 'string', describe: 'address to listen on (default: server.host of config/, 127.0.0.1)' })
      .option('port', { type: 'number', describe: 'port (default: server.port of config/, 8080; 0 = any free port)' })
      .option('config', { type: 'string', describe: 'config directory (YAML files; default: TRADELAB_CONFIG_DIR, else ./config if it exists, else the config/ shipped with tradelab)' }), async (args) => {
      const port = args.port as number | undefined;
      try {
        if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) throw usageError('BAD_PORT', `--port ${String(port)} must be an integer in 0..65535`);
        const { startServer } = await import('./serve.ts');
        const server = await startServer({ env: ctx.env, cwd: ctx.cwd, configDir: configDirFor(args.config as string | undefined, ctx.env, ctx.cwd), host: args.host as string | undefined, port });
        ctx.stdout(`tradelab serve: listening on ${server.url} (docs ${server.url}/api/docs)\n`);
        const { webBuildPresent } = await import('./web-ui.ts');
        ctx.stdout(webBuildPresent() ? `tradelab serve: web UI at ${server.url}/\n` : 'tradelab serve: web UI not built (npm run build:web); serving the API only\n');
        const sig = await signals.stopped();
        ctx.stdout(`tradelab serve: ${sig}, shutting down\n`);
        await server.close();
      } catch (e) {
        if (!isTradelabError(e)) throw e;
        ctx.stderr(`error [${e.code}]: ${e.message}\n`);
        setExit(e.family === 'usage' || e.family === 'config' ? 2 : 1);
      }
    }),
  };
}

export const serverCommands: readonly LiveCliCommand[] = [serveCommand()];
