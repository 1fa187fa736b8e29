// The rules that hold the layers of src/ (scripts/architecture/layers.cjs; `npm test` runs them: test/architecture/).
// A module may import its own layer and the layers below it, never one above; no cycles, type-only imports
// included. docs/architecture.md explains each layer; its diagram is generated from the code (npm run architecture).
const { layers } = require('./scripts/architecture/layers.cjs');

const folder = (name) => (name === 'errors' || name === 'index' ? `^src/${name}\\.ts$` : `^src/${name}/`);
const above = (level) => layers.slice(level + 1).flat();
// Code that runs in the browser (tsconfig.web.json), bundled by scripts/build-web.mjs.
const browserCode = '^src/(console|reporting/browser)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layers.flatMap((group, level) => group.filter(() => level < layers.length - 1).map((name) => ({
      name: `layer-${name}`,
      comment: `src/${name} is in layer ${level}: it may not import ${above(level).join(', ')}`,
      severity: 'error',
      from: { path: folder(name) },
      to: { path: `^src/(${above(level).join('|')})(/|\\.ts$)` },
    }))),
    {
      name: 'no-circular',
      comment: 'No import cycles, type-only imports included: they make the layers a lie and the load order fragile.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-dev-dependencies-in-src',
      comment: 'The product imports only its dependencies; the optional peers (onnxruntime-node, the AWS SDK) only through importOptional. '
        + 'Browser code is exempt: esbuild bundles its libraries (Preact, uPlot, Papa Parse) into dist/web/ at build time.',
      severity: 'error',
      from: { path: '^src/', pathNot: browserCode },
      to: { dependencyTypes: ['npm-dev'], pathNot: ['node_modules/(onnxruntime-node|@aws-sdk/client-s3)/'] },
    },
    {
      name: 'browser-code-apart',
      comment: 'Browser code (the console, the reports\' chart script) is bundled into dist/web/ and served or inlined as files: no module of the server imports it.',
      severity: 'error',
      from: { path: '^src/', pathNot: browserCode },
      to: { path: browserCode },
    },
    {
      name: 'browser-code-without-node',
      comment: 'Browser code runs in the browser: no Node.js built-in modules.',
      severity: 'error',
      from: { path: browserCode },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
    {
      name: 'src-not-to-tests',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench|scripts)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
