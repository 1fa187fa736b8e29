// The layers of src/, lowest first: one folder (or errors.ts, index.ts) per name. The one list the dependency rules
// (.dependency-cruiser.cjs), the diagram (scripts/architecture/diagram.mjs) and docs/architecture.md follow.
/** @type {readonly (readonly string[])[]} */
const layers = [
  ['errors', 'foundation'],
  ['features', 'traffic', 'evaluation', 'reporting'],
  ['model'],
  ['explain', 'sources', 'monitoring'],
  ['runtimes'],
  ['config'],
  ['serving', 'payload-log'],
  ['server', 'console', 'training', 'loadtest', 'export'],
  ['autoscale'],
  ['cli'],
  ['index'],
];

module.exports = { layers };
