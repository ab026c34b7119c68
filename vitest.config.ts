import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const web = (p: string) => resolve(import.meta.dirname, 'web/src', p);

// Two projects: `node` (engine, data, research, live, bench, and the browser end-to-end tests in web/e2e) and `web`
// (the UI's component and store tests: Svelte components mounted in jsdom; SvelteKit's $app modules are replaced by
// the small shims in web/src/test-shims, so pages' logic is tested here and whole pages end-to-end in a browser).
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['{engine,data,research,live,bench,test-support}/**/*.test.ts', 'web/e2e/**/*.test.ts'],
        },
      },
      {
        plugins: [svelte({ configFile: false })],
        resolve: {
          conditions: ['browser'],
          alias: {
            $lib: web('lib'),
            $engine: resolve(import.meta.dirname, 'engine'),
            '$app/navigation': web('test-shims/app-navigation.ts'),
            '$app/state': web('test-shims/app-state.svelte.ts'),
          },
        },
        test: {
          name: 'web',
          include: ['web/src/**/*.test.ts'],
          environment: 'jsdom',
          setupFiles: [web('test-setup.ts')],
        },
      },
    ],
  },
});
