// Lint: typescript-eslint's recommended rules, plus Nx's module boundaries. Dependencies point one way:
// core <- routing <- persona <- cli; the viewer may use core, routing and persona (in-browser sampling) but
// never cli; nothing deep-imports another package (each exposes only its index).
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.nx/**', 'scratch/**', '**/*_bytes.ts'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mjs', '**/*.js'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: ['@routelab/core/testing'],
          depConstraints: [
            { sourceTag: 'scope:core', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'scope:routing', onlyDependOnLibsWithTags: ['scope:core', 'scope:routing'] },
            { sourceTag: 'scope:persona', onlyDependOnLibsWithTags: ['scope:core', 'scope:routing', 'scope:persona'] },
            { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['scope:core', 'scope:routing', 'scope:persona', 'scope:cli'] },
            { sourceTag: 'scope:viewer', onlyDependOnLibsWithTags: ['scope:core', 'scope:routing', 'scope:persona', 'scope:viewer'] },
          ],
        },
      ],
    },
  },
];
