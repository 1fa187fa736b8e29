import { defineCommand } from 'citty';
import { bundledModelDirectory } from '../../model/bundled-model.js';
import { cliDataPlane, openCliModelWithProvenance } from '../cli-model.js';
import { modelCardText } from '../model-card-text.js';
import { runSafely } from '../run-safely.js';

export const infoCommand = defineCommand({
  meta: { name: 'info', description: 'Verify a model (artifact directory, XGBoost .json or .ubj, LightGBM .txt, .onnx, or a URL), warm it up and print the card GET /model would answer' },
  args: {
    model: { type: 'string', description: 'the model, as MODEL_PATH takes it', default: bundledModelDirectory },
    json: { type: 'boolean', description: 'print the card as JSON', default: false },
  },
  run: ({ args }) => runSafely(async () => {
    const { runtime: model, provenance } = await openCliModelWithProvenance(args.model);
    try {
      const { card } = await cliDataPlane(model, undefined, provenance);
      process.stdout.write(args.json ? `${JSON.stringify(card, null, 2)}\n` : `${modelCardText(card)}\n`);
    } finally {
      await model.close();
    }
  }),
});
