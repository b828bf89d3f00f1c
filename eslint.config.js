// Lint rules whose main job is to keep the layers honest (see ARCHITECTURE.md):
// src-shared imports neither Node nor DOM nor Electron; only src-main/electron imports 'electron';
// the renderer never imports Node or src-main.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import svelte from 'eslint-plugin-svelte';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

// Per-folder layering inside src-main: a folder may not import the listed sibling folders. `typeOnly` folders may
// still be imported with `import type` (the scheduler's pure state machine reads the backend's evidence types).
const noElectron = { name: 'electron', message: "Only src-main/electron/ may import 'electron'." };
const layer = (folder, forbidden, typeOnly = []) => ({
  files: [`src-main/${folder}/**/*.ts`],
  rules: {
    'no-restricted-imports': 'off',
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        paths: [noElectron],
        patterns: forbidden.map((f) => ({
          group: [`**/${f}`, `**/${f}/**`, `!**/${folder}/${f}`, `!**/${folder}/${f}/**`, '!**/src-shared/**'],
          message: `src-main/${folder}/ must not import src-main/${f}/ (see eslint.config.js layering).`,
          allowTypeImports: typeOnly.includes(f),
        })),
      },
    ],
  },
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'release/**', 'src-renderer/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: "Only src-main/electron/ may import 'electron'." }] }],
    },
  },
  {
    files: ['src-main/**/*.ts', 'test/**/*.ts', 'bench/**/*.{ts,mjs}', 'scripts/**/*.mjs', 'bin/**/*.mjs', '*.js', '*.ts'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['src-shared/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...nodeBuiltins.map((name) => ({ name, message: 'src-shared must not import Node modules.' })), { name: 'electron', message: 'src-shared must not import electron.' }],
          patterns: [{ group: ['**/src-main/**', '**/src-renderer/**'], message: 'src-shared imports nothing from the other layers.' }],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'Buffer', 'require', 'navigator', 'localStorage'],
    },
  },
  ...svelte.configs.recommended,
  {
    // Components get the TypeScript parser for their <script lang="ts"> and the renderer's layering below.
    files: ['src-renderer/**/*.svelte', 'src-renderer/**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.svelte'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...nodeBuiltins.map((name) => ({ name, message: 'The renderer runs in a sandbox: no Node modules.' })), { name: 'electron', message: 'The renderer talks to the engine through the bridge only.' }],
          patterns: [{ group: ['**/src-main/**'], message: 'The renderer talks to the engine through the bridge only.' }],
        },
      ],
    },
  },
  layer('scheduler', ['backends', 'store', 'transport'], ['backends']),
  layer('backends', ['store', 'engine']),
  layer('transport', ['backends', 'engine', 'store']),
  layer('store', ['engine']),
  // The model floor: plain data shapes (verdicts, observations, transitions…) every layer above may import.
  layer('model', ['backends', 'cli', 'config', 'electron', 'engine', 'host', 'logging', 'platform', 'pricing', 'scheduler', 'sources', 'store', 'transport', 'usage']),
  {
    files: ['src-main/electron/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
