// force timezone to UTC to allow tests to work regardless of local timezone
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');
const { grafanaESModules, nodeModulesToTransform } = require('./.config/jest/utils');

module.exports = {
  // Jest configuration provided by Grafana scaffolding, extended for Node 20 and @grafana/flamegraph.
  ...base,
  setupFiles: ['jest-canvas-mock'],
  // tsconfig.json's paths: src/ reaches pkg/api (and nothing else of pkg/) as @ghcprof/api
  moduleNameMapper: { ...base.moduleNameMapper, '^@ghcprof/api/(.*)$': '<rootDir>/pkg/api/$1' },
  transform: {
    // JSX with the automatic runtime, as tsconfig.json's "jsx": "react-jsx" (and webpack.config.ts) compile it
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      {
        ...base.transform['^.+\\.(t|j)sx?$'][1],
        jsc: { ...base.transform['^.+\\.(t|j)sx?$'][1].jsc, transform: { react: { runtime: 'automatic' } } },
      },
    ],
    // d3-color 3.1.1 ships only .mjs files (dist/d3-color.mjs), which jest does not transform by default
    '^.+\\.mjs$': base.transform['^.+\\.(t|j)sx?$'],
  },
  // d3's packages are ESM only; @grafana/flamegraph pulls them in, so jest must transform them too
  transformIgnorePatterns: [
    nodeModulesToTransform([...grafanaESModules, 'd3-[a-z-]+', 'internmap', 'delaunator', 'robust-predicates']),
  ],
};
