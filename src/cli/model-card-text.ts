import type { ModelManifest } from '../model/artifact-manifest.js';
import type { RuntimeModelCard } from '../server/runtime-service.js';
import { formatTable } from '../reporting/text-table.js';

const fixed = (value: number | null, digits = 4) => (value === null || Number.isNaN(value) ? '-' : value.toFixed(digits));

/** Human-readable model card: identity, data provenance, test metrics and calibration. */
export function modelCardText(manifest: ModelManifest): string {
  const test = manifest.metrics.test;
  const at = test.atThreshold;
  const { data, split, iterations } = manifest.training;
  const lines = [
    `model      ${manifest.name} ${manifest.version} (${manifest.algorithm}, created ${manifest.createdAt})`,
    `data       ${data.file} sha256 ${data.sha256}`,
    `           ${data.rows} rows, ${data.positives} churned; missing values kept: ${Object.entries(data.missing).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`,
    `split      seed ${split.seed}: train ${split.trainRows}, validation ${split.validationRows}, test ${split.testRows}`,
    `fit        ${iterations.kept} ${manifest.algorithm === 'gbdt' ? 'trees kept' : 'Newton iterations'} (${iterations.run} run)`,
    `threshold  ${manifest.threshold.value.toFixed(4)} (${manifest.threshold.method})`,
    '',
    formatTable([
      ['test metric', 'value'],
      ['ROC AUC', fixed(test.rocAuc)],
      ['PR AUC', fixed(test.prAuc)],
      ['log loss', fixed(test.logLoss)],
      ['Brier score', fixed(test.brierScore)],
      ['accuracy', fixed(at.accuracy)],
      ['precision', fixed(at.precision)],
      ['recall', fixed(at.recall)],
      ['F1', fixed(at.f1)],
    ]),
    '',
    formatTable([
      ['calibration bin', 'count', 'mean predicted', 'observed rate'],
      ...test.calibration.map((b) => [`[${b.lower.toFixed(1)}, ${b.upper.toFixed(1)})`, String(b.count), fixed(b.meanPredicted, 3), fixed(b.observedRate, 3)]),
    ]),
  ];
  return lines.join('\n');
}

/** Human-readable card of a model from another runtime (XGBoost, ONNX): what its file and manifest say. */
export function runtimeCardText(card: RuntimeModelCard): string {
  const inputs = card.inputs.map((i) => (i.type === 'category' ? `${i.name} (${i.categories?.length ?? 'any'} categories)` : i.name));
  return [
    `model      ${card.name} ${card.version} (${card.format}, ${card.task})`,
    `inputs     ${inputs.length}: ${inputs.join(', ')}`,
    `outputs    ${card.outputs.map((o) => `${o.name} ${o.datatype}${o.width > 1 ? `[${o.width}]` : ''}`).join(', ')}`,
    ...(card.threshold === undefined ? [] : [`threshold  ${card.threshold.value}`]),
    `explains   ${card.explains ? 'yes (exact contributions)' : 'no'}`,
    `serves     ${card.endpoints.join(', ')}`,
  ].join('\n');
}
