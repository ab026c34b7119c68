// Lint: typescript-eslint plus the import boundaries of docs/architecture.md (CONVENTIONS §1).
//   engine   -> nothing in the repo (and no Node built-ins: it is pure)
//   data     -> engine
//   research -> engine, data
//   live     -> engine, data
//   web      -> engine's types and schemas only (over HTTP/websocket for the rest)
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';

const zone = (name) => [`../${name}/*`, `../../${name}/*`, `../../../${name}/*`, `../../../../${name}/*`,
  `../${name}`, `../../${name}`, `../../../${name}`];
const forbid = (zones, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: zones.flatMap(zone), message }] }],
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'results/**', 'web/**/.svelte-kit/**', 'web/build/**', '.tradelab/**', 'test-artifacts/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.js'],
    plugins: { 'import-x': importX },
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'import-x/no-cycle': ['error', { maxDepth: 10 }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
    settings: { 'import-x/resolver': { node: { extensions: ['.ts', '.js'] } } },
  },
  {
    files: ['engine/**/*.ts'],
    ignores: ['engine/**/*.test.ts', 'engine/**/*.bench.ts', 'engine/test-support/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['data', 'research', 'live', 'web'].flatMap(zone), message: 'engine imports nothing else in the repo (docs/architecture.md).' },
          { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'http', 'https', 'net'], message: 'engine is pure: no I/O.' },
        ],
      }],
      'no-console': 'error',
      'no-restricted-globals': ['error', 'process', 'fetch', 'setTimeout', 'setInterval'],
      'no-restricted-properties': ['error',
        { object: 'Math', property: 'random', message: 'engine takes a seeded random source as an argument.' },
        { object: 'Date', property: 'now', message: 'engine never reads the clock: take a clock argument.' },
        { object: 'performance', property: 'now', message: 'engine never reads the clock: take a clock argument.' }],
    },
  },
  { files: ['data/**/*.ts'], rules: forbid(['research', 'live', 'web'], 'data may use engine only (docs/architecture.md).') },
  { files: ['research/**/*.ts'], rules: forbid(['live', 'web'], 'research uses engine and data only (docs/architecture.md).') },
  { files: ['live/**/*.ts'], rules: forbid(['research', 'web'], 'live uses engine and data only (docs/architecture.md).') },
  {
    files: ['web/src/**/*.ts', 'web/*.js', 'web/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: forbid(['data', 'research', 'live'], 'web talks to live over HTTP/websocket and shares only engine\'s types and schemas (docs/architecture.md).'),
  },
);
