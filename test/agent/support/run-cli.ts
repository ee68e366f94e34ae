// Runs the ghcprof CLI from source (through tsx), so the end-to-end tests exercise the current code without a
// `npm run build:pkg` first. pkg/cli/main.ts reads `../../../package.json`, a path meant for its compiled copy in
// build/pkg/cli/; from the source tree that path leaves the repository, so it is pointed at the repository's own.
import Module from 'node:module';
import { join } from 'node:path';

type Resolve = (request: string, parent: { filename?: string } | undefined, ...rest: unknown[]) => string;
const moduleInternals = Module as unknown as { _resolveFilename: Resolve };
const resolveFilename = moduleInternals._resolveFilename;
moduleInternals._resolveFilename = function (request, parent, ...rest) {
  if (request === '../../../package.json' && parent?.filename?.endsWith(join('pkg', 'cli', 'main.ts'))) {
    return join(__dirname, '..', '..', '..', 'package.json');
  }
  return resolveFilename.call(this, request, parent, ...rest);
};

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { main } = require('../../../pkg/cli/main') as typeof import('../../../pkg/cli/main');
main(process.argv).catch((err: Error) => {
  process.stderr.write(`ghcprof: ${err.message}\n`);
  process.exit(1);
});
