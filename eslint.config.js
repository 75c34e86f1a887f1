// Lint, and the import rules of docs/architecture.md, enforced the way VS Code enforces
// its common/browser/node/electron-main layers: each folder may only import
// what runs where it runs. test/lint/import-rules.test.ts proves each rule
// fires.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'stream', 'url', 'util', 'events', 'worker_threads'];

/** One no-restricted-imports rule from a list of forbidden pattern groups. */
function restrict(...patterns) {
  return ['error', { patterns }];
}

const layerRules = [
  {
    // Runs anywhere: no Node, DOM-bound, Electron or UI code, nothing from
    // the layers above it.
    files: ['src/shared/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(
        { group: nodeBuiltins, message: 'src/shared runs anywhere: no Node built-ins (inject what you need).' },
        { group: ['electron', 'react', 'react-dom', 'react-dom/*', 'zustand', 'ws'], message: 'src/shared must not depend on Electron, UI or Node-only packages.' },
        { group: ['**/main/**', '**/preload/**', '**/renderer/**', '**/web/**', '**/relay/**'], message: 'src/shared imports nothing from the other folders.' },
      ),
    },
  },
  {
    // The UI talks to window.duplex only: types from src/shared, no engine,
    // no network, no Node or Electron.
    files: ['src/renderer/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(
        { group: ['**/shared/**'], allowTypeImports: true, message: 'src/renderer may import only types from src/shared; use window.duplex.' },
        { group: [...nodeBuiltins, 'electron', 'ws', 'reconnecting-websocket'], message: 'src/renderer has no Node, Electron or network access.' },
        { group: ['**/main/**', '**/preload/**', '**/web/**', '**/relay/**'], message: 'src/renderer imports nothing from main, preload, web or relay.' },
      ),
    },
  },
  {
    // The bridge: electron and src/shared types, nothing else.
    files: ['src/preload/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(
        { group: ['**/shared/**'], allowTypeImports: true, message: 'src/preload may import only types from src/shared.' },
        { group: ['*', '!electron', '!./*', '**/main/**', '**/renderer/**', '**/web/**', '**/relay/**'], message: 'src/preload imports only electron and src/shared types.' },
      ),
    },
  },
  {
    files: ['src/main/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(
        { group: ['**/renderer/**', '**/preload/**', '**/web/**', '**/relay/**'], message: 'src/main imports only src/shared and its own modules.' },
      ),
    },
  },
  {
    files: ['src/web/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(
        { group: [...nodeBuiltins, 'electron'], message: 'src/web runs in a browser page.' },
        { group: ['**/main/**', '**/preload/**', '**/relay/**'], message: 'src/web imports only src/shared and src/renderer.' },
      ),
    },
  },
  {
    // The relay shares only the wire protocol with the clients, and the
    // SQLite migration runner with the desktop client's store.
    files: ['relay/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(
        { group: ['**/src/shared/**', '!**/src/shared/protocol', '!**/src/shared/protocol/**', '!**/src/shared/sqlite', '!**/src/shared/sqlite/**'], message: 'relay/ imports only the protocol and sqlite parts of src/shared.' },
        { group: ['**/src/main/**', '**/src/preload/**', '**/src/renderer/**', '**/src/web/**', 'electron', 'react', 'react-dom'], message: 'relay/ is Node only and imports no client code.' },
      ),
    },
  },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'bench/results/', 'test-results/', 'playwright-report/', 'test/lint/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/renderer/**', 'src/web/**'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  ...layerRules,
);
