// Bundles the browser code with esbuild into dist/web/ (run by `npm run build`, after tsc):
//   dist/web/console/      the retention console the server serves at / (index.html, console.js, console.css)
//   dist/web/report-charts.{js,css}   the chart script and styles every HTML report inlines
// Everything is bundled and minified here, so nothing is fetched from the network at run time.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'web');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'console'), { recursive: true });

const common = {
  bundle: true,
  minify: true,
  sourcemap: false,
  target: ['chrome109', 'firefox115', 'safari15.6'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'eof',
  logLevel: 'warning',
  absWorkingDir: root,
};

await Promise.all([
  build({ ...common, entryPoints: { 'report-charts': 'src/reporting/browser/report-page.ts' }, outdir: out, format: 'iife' }),
  build({ ...common, entryPoints: { console: 'src/console/main.tsx' }, outdir: join(out, 'console'), format: 'esm' }),
]);
copyFileSync(join(root, 'src', 'console', 'index.html'), join(out, 'console', 'index.html'));
