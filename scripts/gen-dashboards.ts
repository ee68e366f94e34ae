// Writes the plugin's included dashboards (src/dashboards/*.json, copied to dist/dashboards/ by the build) from
// their typed builders; the RTS overview's PromQL comes from pkg/api/rts/presets.ts. Run: npx tsx scripts/gen-dashboards.ts
// test/plugin/dashboards.test.ts fails when a committed JSON differs from what this writes. Output is formatted with
// the repository's prettier settings so `npm run lint:fix` leaves it alone.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { DASHBOARD_FILES } from '../src/dashboards/build/files';

async function main() {
  for (const [file, build] of Object.entries(DASHBOARD_FILES)) {
    const path = join(__dirname, '..', 'src', 'dashboards', file);
    const options = (await resolveConfig(path)) ?? {};
    writeFileSync(path, await format(JSON.stringify(build()), { ...options, parser: 'json' }));
    console.log(`wrote ${path}`);
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
