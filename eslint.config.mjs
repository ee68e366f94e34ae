import { defineConfig } from 'eslint/config';
import baseConfig from './.config/eslint.config.mjs';

export default defineConfig([
  {
    ignores: [
      '**/node_modules/',
      '**/coverage',
      '**/dist/',
      'build/',
      'test-results/',
      'test/fixtures/',
      'bench/large/',
      '.data/',
      '**/.eslintcache',
      '**/*.log',
    ],
  },
  ...baseConfig,
  {
    // tsconfig.json compiles JSX with the automatic runtime (react-jsx); webpack.config.ts and jest.config.js
    // configure swc the same way, so React need not be in scope.
    files: ['src/**/*.tsx', 'test/browser/**/*.tsx'],
    rules: { 'react/react-in-jsx-scope': 'off', 'react/jsx-uses-react': 'off' },
  },
  {
    // src/ runs in the browser: of pkg/ it may import only the browser-safe API (pkg/api), and only through the
    // @ghcprof/api alias (tsconfig.json paths), never by a relative path into pkg/. "moment" is Grafana's own ban.
    files: ['src/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['moment'],
          patterns: [
            {
              regex: '(^|/)pkg(/|$)|^@ghcprof/api/(.*/)?\\.\\.(/|$)',
              message: 'src/ may import pkg/ only through @ghcprof/api/... (pkg/api, the browser-safe API)',
            },
          ],
        },
      ],
    },
  },
]);
