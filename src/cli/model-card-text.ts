import type { EvaluationReport } from '../evaluation/metrics.js';
import type { ModelManifest } from '../model/artifact-manifest.js';
import type { ModelCard } from '../serving/model-card.js';
import type { ModelProvenance } from '../sources/model-provenance.js';
import { formatTable } from '../reporting/text-table.js';

const fixed = (value: number | null, digits = 4) => (value === null || Number.isNaN(value) ? '-' : value.toFixed(digits));

/** The card of any model, as GET /model answers it, for people: identity, inputs, outputs, threshold; then provenance and quality when the model carries them. */
export function modelCardText(card: ModelCard): string {
  const inputs = card.inputs.map((i) => (i.type === 'category' ? `${i.name} (${i.categories?.length ?? 'any'} categories)` : i.name));
  const lines = [
    `model      ${card.name} ${card.version} (${typeof card['algorithm'] === 'string' ? `${card['algorithm']}, ` : ''}${card.format}, ${card.task}${typeof card['createdAt'] === 'string' ? `, created ${card['createdAt']}` : ''})`,
    `inputs     ${inputs.length}: ${inputs.join(', ')}`,
    `outputs    ${card.outputs.map((o) => `${o.name} ${o.datatype}${o.width > 1 ? `[${o.width}]` : ''}`).join(', ')}`,
    ...(card.threshold === undefined ? [] : [`threshold  ${card.threshold.value.toFixed(4)} (${card.threshold.method})`]),
    `explains   ${card.explains ? 'yes (exact contributions)' : 'no'}`,
    `serves     ${card.endpoints.join(', ')}`,
    ...(card.provenance === undefined ? [] : [`source     ${provenanceText(card.provenance)}`]),
    `drift      ${card.referenceProfile === null ? 'no reference profile (churn-predictor profile gives it one)' : `reference profile of ${card.referenceProfile.rows} rows (${card.referenceProfile.source})`}`,
  ];
  // Tree models from other libraries (XGBoost, LightGBM): what trained them, and how they score.
  if (typeof card['library'] === 'string' && typeof card['objective'] === 'string') {
    lines.push(`library    ${card['library']} ${String(card['libraryVersion'] ?? '')}, objective ${card['objective']}, ${String(card['trees'])} trees`);
  }
  const data = card['trainingData'] as ModelManifest['training']['data'] | undefined;
  const split = card['split'] as ModelManifest['training']['split'] | undefined;
  const iterations = card['iterations'] as ModelManifest['training']['iterations'] | undefined;
  if (data !== undefined && split !== undefined && iterations !== undefined) {
    lines.push(
      `data       ${data.file} sha256 ${data.sha256}`,
      `           ${data.rows} rows, ${data.positives} churned; missing values kept: ${Object.entries(data.missing).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`,
      `split      seed ${split.seed}: train ${split.trainRows}, validation ${split.validationRows}, test ${split.testRows}`,
      `fit        ${iterations.kept} ${card['algorithm'] === 'gbdt' ? 'trees kept' : 'Newton iterations'} (${iterations.run} run)`,
    );
  }
  const test = (card['metrics'] as { test?: EvaluationReport } | undefined)?.test;
  if (test !== undefined) lines.push('', metricsText(test));
  return lines.join('\n');
}

/** Where the model came from, in one line: the location, and what the MLflow registry resolved it to. */
function provenanceText(provenance: ModelProvenance): string {
  const mlflow = provenance.mlflow;
  const resolved = mlflow === undefined ? [] : [
    mlflow.registeredModel === undefined ? undefined : `registered model ${mlflow.registeredModel}`,
    mlflow.version === undefined ? undefined : `version ${mlflow.version}`,
    mlflow.alias === undefined ? undefined : `alias ${mlflow.alias}`,
    mlflow.runId === undefined ? undefined : `run ${mlflow.runId}`,
  ].filter((part) => part !== undefined);
  const flavor = provenance.flavor === undefined ? [] : [`MLflow flavour ${provenance.flavor}`];
  const details = [...resolved, ...flavor];
  return `${provenance.source}${details.length === 0 ? '' : ` (${details.join(', ')})`}`;
}

function metricsText(test: EvaluationReport): string {
  const at = test.atThreshold;
  return [
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
  ].join('\n');
}
