import { writeFileSync } from 'node:fs';
import { defineCommand } from 'citty';
import { ChurnError } from '../../errors.js';
import { importanceOfExplained } from '../../explain/global-importance.js';
import { importanceChartHtml } from '../../explain/importance-chart.js';
import { bundledDataFile, bundledModelDirectory } from '../../model/bundled-model.js';
import { cliDataPlane, openCliModel } from '../cli-model.js';
import { readDataFile } from '../text-file.js';
import { runSafely } from '../run-safely.js';
import { formatTable } from '../../reporting/text-table.js';

export const explainCommand = defineCommand({
  meta: { name: 'explain', description: 'Global feature importance (mean |exact contribution|) of a model over a CSV file' },
  args: {
    model: { type: 'string', description: 'the model, as MODEL_PATH takes it (artifact directory, XGBoost .json or .ubj, LightGBM .txt, or a URL)', default: bundledModelDirectory },
    data: { type: 'string', description: 'CSV file of customers', default: bundledDataFile },
    html: { type: 'string', description: 'also write a bar chart to this HTML file' },
    json: { type: 'boolean', description: 'print JSON instead of a table', default: false },
  },
  run: ({ args }) => runSafely(async () => {
    const bytes = readDataFile(args.data);
    const model = await openCliModel(args.model);
    let importance;
    let title: string;
    try {
      const plane = await cliDataPlane(model);
      if (!plane.scoresRecords || !plane.explains) {
        throw new ChurnError('INVALID_ARGUMENT', `${plane.name} (${plane.card.format}, ${plane.card.task}) cannot be explained: exact contributions exist for the native model and binary XGBoost and LightGBM models`);
      }
      // Exact contributions of every record, through the data plane, as ?explain=true computes them.
      const outcome = await plane.predictCsvBatch(bytes, { explain: true }, 'cli');
      importance = importanceOfExplained(outcome.results);
      title = `Churn model ${plane.name} ${plane.version}: feature importance`;
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
      writeFileSync(args.html, importanceChartHtml(importance, title));
      process.stderr.write(`wrote ${args.html}\n`);
    }
  }),
});
