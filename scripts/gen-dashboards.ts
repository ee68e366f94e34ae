// Writes the plugin's included dashboards (src/dashboards/*.json, copied to dist/dashboards/ by the build) from
// their typed builders; the RTS overview's PromQL comes from pkg/rts/presets.ts. Run: npx tsx scripts/gen-dashboards.ts
// test/plugin/dashboards.test.ts fails when a committed JSON differs from what this writes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARD_FILES } from '../src/dashboards/build/files';

for (const [file, build] of Object.entries(DASHBOARD_FILES)) {
  const path = join(__dirname, '..', 'src', 'dashboards', file);
  writeFileSync(path, `${JSON.stringify(build(), null, 2)}\n`);
  console.log(`wrote ${path}`);
}
