import { defineCommand } from 'citty';
import { ChurnError } from '../../errors.js';
import { writeOnnxModel } from '../../export/write-onnx-model.js';
import { loadModelArtifact } from '../../model/artifact-loader.js';
import { bundledModelDirectory } from '../../model/bundled-model.js';
import { runSafely } from '../run-safely.js';

export const exportCommand = defineCommand({
  meta: { name: 'export', description: 'Export a native GBDT artifact (with its preprocessing) to another format' },
  args: {
    format: { type: 'string', description: 'output format: onnx', default: 'onnx' },
    model: { type: 'string', description: 'model artifact directory', default: bundledModelDirectory },
    out: { type: 'string', description: 'output file (.onnx); a <name>.manifest.json is written beside it', default: 'churn.onnx' },
  },
  run: ({ args }) => runSafely(() => {
    if (args.format !== 'onnx') throw new ChurnError('INVALID_ARGUMENT', `--format must be onnx, got ${JSON.stringify(args.format)}`);
    const written = writeOnnxModel(loadModelArtifact(args.model), args.out);
    process.stdout.write(`wrote ${written.model} (${written.bytes} bytes) and ${written.manifest}\n`);
  }),
});
