import { writeFileSync } from 'node:fs';
import { defineCommand } from 'citty';
import { globalImportance } from '../../explain/global-importance.js';
import { importanceChartHtml } from '../../explain/importance-chart.js';
import { loadModelArtifact } from '../../model/artifact-loader.js';
import { bundledDataFile, bundledModelDirectory } from '../../model/bundled-model.js';
import { readCsvRecordsFile } from '../csv-input.js';
import { runSafely } from '../run-safely.js';
import { formatTable } from '../table.js';

export const explainCommand = defineCommand({
  meta: { name: 'explain', description: 'Global feature importance (mean |exact contribution|) of a model over a CSV file' },
  args: {
    model: { type: 'string', description: 'model artifact directory', default: bundledModelDirectory },
    data: { type: 'string', description: 'CSV file of customers', default: bundledDataFile },
    html: { type: 'string', description: 'also write a bar chart to this HTML file' },
    json: { type: 'boolean', description: 'print JSON instead of a table', default: false },
  },
  run: ({ args }) => runSafely(() => {
    const loaded = loadModelArtifact(args.model);
    const { records } = readCsvRecordsFile(args.data, loaded.manifest.schema);
    const importance = globalImportance(loaded, records);
    if (args.json) {
      process.stdout.write(JSON.stringify(importance, null, 2) + '\n');
    } else {
      process.stdout.write(formatTable([
        ['feature', 'mean |contribution|', 'mean contribution'],
        ...importance.features.map((f) => [f.feature, f.meanAbsolute.toFixed(4), f.meanSigned.toFixed(4)]),
      ]) + `\n\n${importance.records - importance.invalid} records explained, ${importance.invalid} invalid; base value ${importance.baseValue.toFixed(4)} (log-odds)\n`);
    }
    if (args.html !== undefined) {
      writeFileSync(args.html, importanceChartHtml(importance, `Churn model ${loaded.manifest.name} ${loaded.manifest.version}: feature importance`));
      process.stderr.write(`wrote ${args.html}\n`);
    }
  }),
});
