// Vite config of the web UI (build, dev server and the component tests' vitest project).
// Dev: `npx vite dev --config web/vite.config.ts` proxies /api and /ws to a `tradelab serve` on TRADELAB_API (default :8080).
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

const api = process.env.TRADELAB_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [sveltekit()],
  server: { proxy: { '/api': api, '/vendor': api, '/ws': { target: api.replace(/^http/, 'ws'), ws: true } } },
  build: { chunkSizeWarningLimit: 800 },
  // SvelteKit's analysis build imports 'cookie' by bare name; the root node_modules holds Fastify's cookie@2 (a
  // different API), so bundle the one SvelteKit depends on.
  ssr: { noExternal: ['cookie'] },
});
