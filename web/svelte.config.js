// SvelteKit config of the web UI. A single-page app (adapter-static with an index.html fallback) that `tradelab serve`
// serves on the API's port (live/server/web-ui.ts): no Node server of its own, so the UI and the API can never
// disagree about auth, origin or version. Build: `npm run build:web` (→ web/build).
import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true }),
    alias: { $engine: '../engine' },
  },
};
