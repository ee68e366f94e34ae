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
]);
