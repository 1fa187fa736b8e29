import { defineCommand } from 'citty';
import { bundledModelDirectory } from '../../model/bundled-model.js';
import { NativeRuntime } from '../../model/runtimes/native-runtime.js';
import { openModelFrom } from '../../model/sources/open-model-from.js';
import { RuntimeService } from '../../server/runtime-service.js';
import { modelCardText, runtimeCardText } from '../model-card-text.js';
import { modelSourceOptions } from '../model-source-options.js';
import { runSafely } from '../run-safely.js';

export const infoCommand = defineCommand({
  meta: { name: 'info', description: 'Verify a model (artifact directory, XGBoost .json, .onnx, or a URL) and print its model card' },
  args: {
    model: { type: 'string', description: 'the model, as MODEL_PATH takes it', default: bundledModelDirectory },
    json: { type: 'boolean', description: 'print the card as JSON', default: false },
  },
  run: ({ args }) => runSafely(async () => {
    const model = await openModelFrom(args.model, modelSourceOptions(args.model));
    try {
      if (model instanceof NativeRuntime) {
        const { manifest } = model.loaded;
        const { payload: _payload, ...card } = manifest;
        process.stdout.write(args.json ? `${JSON.stringify(card, null, 2)}\n` : `${modelCardText(manifest)}\n`);
        return;
      }
      // What GET /model would answer for it.
      const { card } = new RuntimeService(model, { maxBatchSize: 1 });
      process.stdout.write(args.json ? `${JSON.stringify(card, null, 2)}\n` : `${runtimeCardText(card)}\n`);
    } finally {
      await model.close();
    }
  }),
});
