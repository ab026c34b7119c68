import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{engine,data,research,live,bench,test-support}/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
