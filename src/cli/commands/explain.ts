import { writeFileSync } from 'node:fs';
import { defineCommand } from 'citty';
import { ChurnError } from '../../errors.js';
import { globalImportance, importanceOfExplained, type GlobalImportance } from '../../explain/global-importance.js';
import { importanceChartHtml } from '../../explain/importance-chart.js';
import { bundledDataFile, bundledModelDirectory } from '../../model/bundled-model.js';
import { NativeRuntime } from '../../model/runtimes/native-runtime.js';
import type { ModelRuntime } from '../../model/runtimes/model-runtime.js';
import { openModelFrom } from '../../model/sources/open-model-from.js';
import { servingModel } from '../../server/serving-model.js';
import { readCsvRecordsFile } from '../csv-input.js';
import { modelSourceOptions } from '../model-source-options.js';
import { runSafely } from '../run-safely.js';
import { formatTable } from '../table.js';

/** Exact contributions averaged over the file: the native explainer directly, other runtimes through their own. */
async function importanceOf(model: ModelRuntime, dataFile: string): Promise<GlobalImportance> {
  if (model instanceof NativeRuntime) {
    return globalImportance(model.loaded, readCsvRecordsFile(dataFile, model.loaded.manifest.schema).records);
  }
  const { service, warmUp } = servingModel(model, { maxBatchSize: Number.MAX_SAFE_INTEGER });
  if (!service.scoresRecords || model.explain === undefined) {
    throw new ChurnError('INVALID_ARGUMENT', `${model.description.name} (${model.description.format}, ${model.description.task}) cannot be explained: exact contributions exist for the native model and binary XGBoost models`);
  }
  await warmUp();
  const outcome = await service.predictBatch(readCsvRecordsFile(dataFile, service.schema).records, '/rows', { explain: true });
  return importanceOfExplained(outcome.results);
}

export const explainCommand = defineCommand({
  meta: { name: 'explain', description: 'Global feature importance (mean |exact contribution|) of a model over a CSV file' },
  args: {
    model: { type: 'string', description: 'the model, as MODEL_PATH takes it (artifact directory, XGBoost .json, or a URL)', default: bundledModelDirectory },
    data: { type: 'string', description: 'CSV file of customers', default: bundledDataFile },
    html: { type: 'string', description: 'also write a bar chart to this HTML file' },
    json: { type: 'boolean', description: 'print JSON instead of a table', default: false },
  },
  run: ({ args }) => runSafely(async () => {
    const model = await openModelFrom(args.model, modelSourceOptions(args.model));
    let importance: GlobalImportance;
    try {
      importance = await importanceOf(model, args.data);
    } finally {
      await model.close();
    }
    if (args.json) {
      process.stdout.write(JSON.stringify(importance, null, 2) + '\n');
    } else {
      process.stdout.write(formatTable([
        ['feature', 'mean |contribution|', 'mean contribution'],
        ...importance.features.map((f) => [f.feature, f.meanAbsolute.toFixed(4), f.meanSigned.toFixed(4)]),
      ]) + `\n\n${importance.records - importance.invalid} records explained, ${importance.invalid} invalid; base value ${importance.baseValue.toFixed(4)} (log-odds)\n`);
    }
    if (args.html !== undefined) {
      const { name, version } = model.description;
      writeFileSync(args.html, importanceChartHtml(importance, `Churn model ${name} ${version}: feature importance`));
      process.stderr.write(`wrote ${args.html}\n`);
    }
  }),
});
