// Builds dist/: an ES module and a script-tag bundle exposing `Lasthop`. Types come from
// `npm run types` (tsc), which `npm run build` runs next.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import { builds } from './build.config.mjs';

await rm('dist', { recursive: true, force: true });
for (const options of builds) {
  await build({ ...options, logLevel: 'warning' });
  console.log(`built ${options.outfile}`);
}
