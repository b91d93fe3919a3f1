import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'examples/', 'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        fetch: 'readonly'
      }
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Layering (design.md): only action-kit touches the runner.
      'no-restricted-imports': ['error', { patterns: [] }]
    }
  },
  {
    files: [
      'packages/core/**/*.ts',
      'packages/git/**/*.ts',
      'packages/kustomize/**/*.ts',
      'packages/operations/**/*.ts',
      'packages/github/**/*.ts',
      'packages/cli/**/*.ts',
      'packages/validation/**/*.ts'
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@actions/*'], message: 'Domain packages never import the runner: go through packages/action-kit.' }] }
      ]
    }
  },
  {
    files: ['actions/*/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@actions/core', '@actions/github', '@actions/exec'],
              message: 'Actions reach the runner through @gitops-actions/action-kit.'
            }
          ]
        }
      ]
    }
  }
)
