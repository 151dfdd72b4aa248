// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Layers point one way: runtime <- remoting <- cluster. These patterns enforce it at lint time. */
const layer = (/** @type {string[]} */ forbidden, /** @type {string} */ message) => ({
  'no-restricted-imports': [
    'error',
    { patterns: forbidden.map((group) => ({ group: [group], message })) },
  ],
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', 'scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['runtime/**/*.ts'],
    rules: layer(
      ['**/remoting/**', '**/cluster/**', '../remoting*', '../cluster*'],
      'layer rule: runtime/ imports nothing from remoting/ or cluster/',
    ),
  },
  {
    files: ['remoting/**/*.ts'],
    rules: layer(
      ['**/cluster/**', '../cluster*'],
      'layer rule: remoting/ imports nothing from cluster/',
    ),
  },
  {
    files: ['runtime/event-stream.ts'],
    rules: layer(['./*', '../*'], 'the EventStream imports nothing else of ours'),
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
);
