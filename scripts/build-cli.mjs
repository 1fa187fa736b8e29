// Bundles the command line with esbuild (run by `npm run build`, after tsc), replacing tsc's dist/src/cli/main.js:
//   dist/src/cli/main.js    the entry `npm start`, the `churn-predictor` bin and the image run
//   dist/src/bundle/        the chunks it loads: one per command, shared code; and serve-<hash>.cjs, the server as
//                           one CommonJS file that main.js compiles through V8's code cache (scripts/warm-code-cache.mjs)
// Why: loading ~400 files one by one was most of the server's start-up (resolving, reading and compiling each);
// one chunk per command compiles in a fraction of that. The library (dist/src/index.js) stays tsc's modules.
//
// Every output file sits two folders under dist/, as tsc's modules do, so the paths our modules build from
// import.meta.url (the package root, dist/web, the bundled model) resolve the same from the bundle.
// Left out of the bundle and loaded from node_modules if ever used: the optional peer packages (a user may not have
// them); packages that read files beside their own code (Swagger and Swagger UI on the first /docs request;
// @grpc/proto-loader, which grpc-js asks for only to serve channelz or ORCA, neither served here: grpc-js itself is
// bundled, 30 ms off a start with gRPC on); and Fastify's Ajv and fast-json-stringify
// compilers, which it loads only when an app brings none (ours brings its own). test/deploy/runtime-image.test.ts
// runs the bundle with gRPC, /docs and the console, as the image does.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
// tsc has built it: `npm run build` and the image run tsc first.
import { COMMONJS_WRAPPER_END, COMMONJS_WRAPPER_START } from '../dist/src/foundation/code-cache.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

rmSync(join(root, 'dist', 'src', 'bundle'), { recursive: true, force: true });
// tsc's map describes the entry this replaces.
rmSync(join(root, 'dist', 'src', 'cli', 'main.js.map'), { force: true });
const external = [
  ...Object.keys(packageJson.peerDependencies ?? {}),
  '@fastify/swagger', '@fastify/swagger-ui', '@grpc/proto-loader',
  '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler',
];
// The server once more, as one CommonJS file: main.js compiles it through V8's code cache
// (src/foundation/code-cache.ts), which Node 20 offers CommonJS but not ES modules. Its name carries a hash of its
// content. import.meta.url becomes the bundle's own URL, as in the ES module chunks beside it.
const serve = await build({
  absWorkingDir: root,
  entryPoints: { 'bundle/serve': 'src/cli/commands/serve.ts' },
  entryNames: '[dir]/[name]-[hash]',
  outExtension: { '.js': '.cjs' },
  outdir: 'dist/src',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external,
  define: { 'import.meta.url': '__bundleUrl' },
  // Strict, as the ES modules it is built from (and the ES module chunks) run: the directive must come first.
  banner: { js: "'use strict'; var __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  legalComments: 'eof',
  logLevel: 'warning',
  metafile: true,
});
const serveOutput = Object.keys(serve.metafile.outputs).find((file) => file.endsWith('.cjs'));
const serveBundle = basename(serveOutput);
// esbuild writes strings and names in ASCII but keeps some comments as written, and one `→` in a comment makes V8
// hold the whole 2.8 MB source as two bytes a character (+5 MiB resident). Escaped, the file is ASCII throughout;
// the escape means the same in strings, names and regular expressions, should one ever hold such a character.
const serveSource = readFileSync(join(root, serveOutput), 'utf8');
// Written inside the function Node wraps every CommonJS file in, so the loader compiles the file's own string:
// wrapping it there would keep a second 2.8 MB copy until a full collection.
const ascii = serveSource.replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
writeFileSync(join(root, serveOutput), `${COMMONJS_WRAPPER_START}${ascii}${COMMONJS_WRAPPER_END}`);
await build({
  absWorkingDir: root,
  // From the TypeScript sources (esbuild strips the types as tsc would emit them under isolatedModules), so a second
  // run bundles what it bundled the first time rather than its own output.
  entryPoints: { 'cli/main': 'src/cli/main.ts' },
  outdir: 'dist/src',
  chunkNames: 'bundle/[name]-[hash]',
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  define: { SERVE_BUNDLE: JSON.stringify(serveBundle) },
  // CommonJS packages inside an ES module bundle call require() for Node's own modules.
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  legalComments: 'eof',
  logLevel: 'warning',
});
