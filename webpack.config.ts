import CopyWebpackPlugin from 'copy-webpack-plugin';
import { resolve } from 'node:path';
import type { Configuration, RuleSetRule } from 'webpack';
import { merge } from 'webpack-merge';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config';

/**
 * The scaffold's config plus three things it lacks: the nested data source's logos (it copies only the app's), JSX
 * compiled with the automatic runtime as tsconfig.json's `"jsx": "react-jsx"` says (jest.config.js does the same),
 * and the `@ghcprof/api` alias of tsconfig.json's paths (pkg/api, the only part of pkg/ that src/ may import).
 * package.json's build:plugin and dev scripts point here.
 */
const config = async (env: Env): Promise<Configuration> => {
  const base = await grafanaConfig(env);
  base.module?.rules?.forEach((rule) => useAutomaticJsxRuntime(rule as RuleSetRule));
  return merge(base, {
    resolve: { alias: { '@ghcprof/api': resolve(__dirname, 'pkg/api') } },
    plugins: [new CopyWebpackPlugin({ patterns: [{ from: 'datasource/img', to: 'datasource/img' }] })],
  });
};

function useAutomaticJsxRuntime(rule: RuleSetRule) {
  const use = rule.use as { loader?: string; options?: { jsc?: Record<string, unknown> } } | undefined;
  if (use?.loader === 'swc-loader' && use.options?.jsc) {
    use.options.jsc.transform = { react: { runtime: 'automatic' } };
  }
}

export default config;
