/**
 * The esbuild builds, shared by build.mjs and the bundle test. Target: browsers of 2020 on
 * (ES2020); class fields and `??` are lowered where needed.
 */
const common = {
  entryPoints: ['src/index.js'],
  bundle: true,
  target: ['es2020'],
  sourcemap: true,
  legalComments: 'none',
};

/** @type {import('esbuild').BuildOptions[]} */
export const builds = [
  { ...common, format: 'esm', outfile: 'dist/lasthop.mjs' },
  { ...common, format: 'iife', globalName: 'Lasthop', outfile: 'dist/lasthop.iife.js' },
  { ...common, format: 'iife', globalName: 'Lasthop', minify: true, outfile: 'dist/lasthop.iife.min.js' },
];
