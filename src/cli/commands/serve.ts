import { defineCommand } from 'citty';
import { loadModelArtifact } from '../../model/artifact-loader.js';
import { bundledModelDirectory } from '../../model/bundled-model.js';
import { modelCardText } from '../model-card-text.js';
import { runSafely } from '../run-safely.js';

// Placeholder until the HTTP server lands (issue "model server"): verifies and describes the model.
export const serveCommand = defineCommand({
  meta: { name: 'serve', description: 'Serve the model over HTTP' },
  args: {},
  run: () => runSafely(() => {
    const { manifest } = loadModelArtifact(process.env['MODEL_PATH'] ?? bundledModelDirectory);
    process.stdout.write(`${modelCardText(manifest)}\n`);
  }),
});
