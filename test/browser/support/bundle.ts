import { build, type Plugin } from 'esbuild';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

/**
 * @grafana/ui's ESM build, bundled by esbuild, renders "Element type is invalid" (seen with @grafana/ui 12.4):
 * resolve the Grafana packages to their CommonJS builds instead.
 */
const grafanaCommonJs: Plugin = {
  name: 'grafana-commonjs',
  setup(b) {
    b.onResolve({ filter: /^@grafana\/(ui|data|flamegraph|runtime|schema|i18n|e2e-selectors|assistant)$/ }, (args) => ({
      path: require.resolve(args.path, { paths: [ROOT] }),
    }));
  },
};

/** Bundles test/browser/harness/main.tsx (and the plugin code it imports) into one browser script. */
export async function bundleHarness(outfile: string): Promise<void> {
  await build({
    entryPoints: [join(__dirname, '..', 'harness', 'main.tsx')],
    outfile,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
    jsx: 'automatic',
    sourcemap: false,
    logLevel: 'error',
    define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
    loader: {
      '.svg': 'dataurl',
      '.png': 'dataurl',
      '.woff': 'dataurl',
      '.woff2': 'dataurl',
      '.ttf': 'dataurl',
      '.css': 'css',
    },
    // tsconfig.json's paths, explicit so the bundle does not depend on esbuild finding that tsconfig
    alias: { '@ghcprof/api': join(ROOT, 'pkg', 'api') },
    plugins: [grafanaCommonJs],
  });
}
