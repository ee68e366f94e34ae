// force timezone to UTC to allow tests to work regardless of local timezone
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');
const { grafanaESModules, nodeModulesToTransform } = require('./.config/jest/utils');

module.exports = {
  // Jest configuration provided by Grafana scaffolding, extended for Node 20 and @grafana/flamegraph.
  ...base,
  setupFiles: ['jest-canvas-mock'],
  transform: {
    ...base.transform,
    // d3-color 3.1.1 ships .mjs files (toolchain-node20.md, fix 3)
    '^.+\\.mjs$': base.transform['^.+\\.(t|j)sx?$'],
  },
  // d3 ESM packages that @grafana/flamegraph pulls in (toolchain-node20.md)
  transformIgnorePatterns: [
    nodeModulesToTransform([...grafanaESModules, 'd3-[a-z-]+', 'internmap', 'delaunator', 'robust-predicates']),
  ],
};
