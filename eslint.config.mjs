// ESLint (flat config): typescript-eslint's recommended rules, not
// type-aware (tsc does the type checking), plus the layer rules of
// docs/architecture.md — see scripts/eslint-layers.mjs — and
// `import type` for types everywhere. `npm run lint`; test/unit/lint.test.ts
// proves each rule fails on a planted violation.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import layers from './scripts/eslint-layers.mjs';

/** Node globals browser code must not touch (tsconfig.webview.json has no Node types either). */
const NODE_ONLY_GLOBALS = ['process', 'require', 'Buffer', '__dirname', '__filename', 'global', 'module', 'exports', 'setImmediate'];

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', '.vscode-test/**', 'out/**', 'coverage/**'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { layers },
    rules: {
      // The layers: resolved paths, per folder (the rule knows the layer of each file).
      'layers/imports': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      // `import { type A }` with only type names: say `import type { A }`.
      '@typescript-eslint/no-import-type-side-effects': 'error',
      // Off to avoid churn unrelated to the layers:
      '@typescript-eslint/no-unused-vars': 'off', // tsc: noUnusedLocals / noUnusedParameters
      '@typescript-eslint/no-explicit-any': 'off',
      // Lazy `require()` of optional native backends (tfjs-node, onnxruntime) is deliberate.
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // The e2e harness drives a browser: functions it passes to page.evaluate() run there.
    files: ['test/e2e/**'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    // Browser code: browser globals only, and no Node globals even by accident.
    files: ['webview/**'],
    languageOptions: { globals: globals.browser },
    rules: {
      'no-restricted-globals': [
        'error',
        ...NODE_ONLY_GLOBALS.map((name) => ({ name, message: 'webview code runs in the browser: no Node globals.' })),
      ],
    },
  },
);
