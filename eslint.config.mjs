import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', 'bin/**', '*.config.js', '*.config.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // domain/ and projections/ are pure: no I/O, no clock, no randomness, nothing from src/.
    files: ['domain/**/*.ts', 'projections/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/src/**', '../src/*', '../../src/*'], message: 'domain/ and projections/ must not import from src/.' },
          { group: ['fs', 'node:*', 'fs/*', 'child_process', 'net', 'http', 'https', 'crypto', 'os', 'path', 'better-sqlite3', '@eventstore/*'], message: 'domain/ and projections/ are pure: no I/O modules.' },
        ],
      }],
      'no-restricted-globals': ['error', { name: 'Date', message: 'Time comes in as an argument.' }],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'No randomness in pure code.' }],
    },
  },
);
