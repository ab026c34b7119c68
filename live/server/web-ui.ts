/**
 * Serves the web UI (web/, built by `npm run build:web` into web/build) on the API's port: static files with long
 * caching for Vite's hashed assets, index.html for every other UI path (a single-page app), and plotly.js at
 * /vendor/plotly.min.js (loaded by the chart component on demand). Paths under /api and /ws never fall through to
 * the UI: an unknown API route stays a JSON 404.
 */
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, normalize, resolve, sep } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { httpError } from './errors.ts';

/** web/build of this repository. */
export const WEB_BUILD_DIR = resolve(import.meta.dirname, '../../web/build');

export function webBuildPresent(dir: string = WEB_BUILD_DIR): boolean {
  return existsSync(join(dir, 'index.html'));
}

function plotlyDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('plotly.js-dist-min/plotly.min.js'));
}

export async function webUiRoutes(app: FastifyInstance, dir: string = WEB_BUILD_DIR): Promise<void> {
  const root = resolve(dir);
  const vendor = plotlyDir();
  await app.register(fastifyStatic, { root, serve: false });
  const isFile = (p: string) => { try { return statSync(p).isFile(); } catch { return false; } };

  app.get('/vendor/plotly.min.js', { config: { access: 'public' }, schema: { hide: true } }, (_req, reply) => {
    return reply.header('cache-control', 'public, max-age=86400').sendFile('plotly.min.js', vendor);
  });

  app.get('/*', { config: { access: 'public' }, schema: { hide: true } }, (req, reply) => {
    const path = (req.params as { '*': string })['*'] ?? '';
    if (path === 'api' || path.startsWith('api/') || path === 'ws') {
      throw httpError('NOT_FOUND', `no route ${req.method} /${path.split('?')[0]}; the API is described at /api/docs`);
    }
    const file = normalize(join(root, path));
    if (path && (file === root || file.startsWith(root + sep)) && isFile(file)) {
      const immutable = path.startsWith('_app/immutable/');
      return reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache').sendFile(path);
    }
    // A UI route (/, /runs/abc, /bots/b1...): the app shell decides what to show.
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}
