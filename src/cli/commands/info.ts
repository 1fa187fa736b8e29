import { defineCommand } from 'citty';
import { loadModelArtifact } from '../../model/artifact-loader.js';
import { bundledModelDirectory } from '../../model/bundled-model.js';
import { modelCardText } from '../model-card-text.js';
import { runSafely } from '../run-safely.js';

export const infoCommand = defineCommand({
  meta: { name: 'info', description: 'Verify a model artifact and print its model card' },
  args: {
    model: { type: 'string', description: 'model artifact directory', default: bundledModelDirectory },
    json: { type: 'boolean', description: 'print the manifest as JSON', default: false },
  },
  run: ({ args }) => runSafely(() => {
    const { manifest } = loadModelArtifact(args.model);
    const { payload: _payload, ...card } = manifest;
    process.stdout.write(args.json ? `${JSON.stringify(card, null, 2)}\n` : `${modelCardText(manifest)}\n`);
  }),
});
