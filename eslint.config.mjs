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
]);
