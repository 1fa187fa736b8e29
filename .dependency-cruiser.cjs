// The rules that hold the layers of src/ (scripts/architecture/layers.cjs; `npm test` runs them: test/architecture/).
// A module may import its own layer and the layers below it, never one above; no cycles, type-only imports
// included. docs/architecture.md explains each layer; its diagram is generated from the code (npm run architecture).
const { layers } = require('./scripts/architecture/layers.cjs');

const folder = (name) => (name === 'errors' || name === 'index' ? `^src/${name}\\.ts$` : `^src/${name}/`);
const above = (level) => layers.slice(level + 1).flat();

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
      comment: 'The product imports only its dependencies; the optional peers (onnxruntime-node, the AWS SDK) only through importOptional.',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'], pathNot: ['node_modules/(onnxruntime-node|@aws-sdk/client-s3)/'] },
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
