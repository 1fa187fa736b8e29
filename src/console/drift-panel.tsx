import { useEffect, useState } from 'preact/hooks';
import type { BarChartSpec } from '../reporting/chart-spec.js';
import { chartColors } from '../reporting/chart-spec.js';
import { api, ApiError, type DriftReport, type FeatureDriftView } from './api.js';
import { ChartFigure } from './chart-figure.js';
import { count, percent } from './format.js';

type Available = Extract<DriftReport, { available: true }>;

/** The usual reading of a PSI, in words. */
function shift(psi: number, thresholds: Available['thresholds']): string {
  if (psi > thresholds.significant) return 'significant';
  if (psi > thresholds.moderate) return 'moderate';
  return 'none';
}

function windowText(report: Available): string {
  const { window } = report;
  const span = window.kind === 'records'
    ? `the last ${count(window.size)} records`
    : `the last ${window.seconds % 3600 === 0 ? `${window.seconds / 3600} h` : `${Math.round(window.seconds / 60)} min`}`;
  return `${count(window.records)} records scored over ${span}, against ${count(report.reference.rows)} rows of ${report.reference.source}.`;
}

function psiChart(report: Available): BarChartSpec {
  const bars = [
    ...report.features.filter((f) => f.binned).map((f) => ({ label: f.name, value: f.psi })),
    { label: 'the score', value: report.score.psi },
  ].sort((a, b) => b.value - a.value);
  return {
    kind: 'bars', title: 'How far live traffic has moved from the training data',
    valueLabel: `PSI (above ${report.thresholds.moderate}: moderate, above ${report.thresholds.significant}: significant)`,
    color: chartColors.bar, bars,
  };
}

const refusedText = (f: FeatureDriftView): string => Object.entries(f.refused).map(([reason, n]) => `${count(n)} ${reason}`).join(', ');

function DriftTable({ report }: { report: Available }) {
  const features = [...report.features].sort((a, b) => b.psi - a.psi);
  return (
    <div class="table-scroll">
      <table data-testid="drift-table">
        <caption>Each input over the drift window, against training</caption>
        <thead>
          <tr><th scope="col">Feature</th><th scope="col">PSI</th><th scope="col">Shift</th><th scope="col">Missing (live / training)</th><th scope="col">Outside the training range</th><th scope="col">Refused values</th></tr>
        </thead>
        <tbody>
          {features.map((f) => (
            <tr data-feature={f.name}>
              <th scope="row">{f.name}</th>
              <td>{f.binned ? f.psi.toFixed(3) : ''}</td>
              <td>{f.binned ? shift(f.psi, report.thresholds) : 'any text: not binned'}</td>
              <td>{f.binned ? `${percent(f.missingShare)} / ${percent(f.referenceMissingShare)}` : ''}</td>
              <td>{f.kind === 'numeric' ? percent(f.outOfRangeShare) : ''}</td>
              <td>{refusedText(f)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** GET /model/drift on the model page: which inputs, and whether the scores, have moved since training. */
export function DriftPanel({ onUnauthorized }: { onUnauthorized: (error: ApiError) => void }) {
  const [report, setReport] = useState<DriftReport>();
  const [problem, setProblem] = useState<string>();
  const load = () => {
    api.drift().then((answer) => { setReport(answer); setProblem(undefined); }, (error: unknown) => {
      if (error instanceof ApiError && error.status === 401) onUnauthorized(error);
      else setProblem(error instanceof Error ? error.message : String(error));
    });
  };
  useEffect(load, []);

  return (
    <section class="panel" aria-labelledby="drift-heading">
      <h2 id="drift-heading">Drift since training</h2>
      {problem !== undefined && <p class="form-error" role="alert">{problem}</p>}
      {report === undefined ? problem === undefined && <p class="placeholder">Loading…</p> : !report.available
        ? <p class="note" data-testid="drift-unavailable">No drift figures: {report.reason}.</p>
        : (
          <>
            <p class="hint">{windowText(report)} Mean score over the window: {report.score.mean === null ? 'none yet' : percent(report.score.mean)}.</p>
            {!report.enoughData && (
              <p class="note">Fewer than {count(report.minimumRecords)} records in the window: the figures below are still noise, and no alert uses them yet.</p>
            )}
            <ChartFigure spec={psiChart(report)} testId="drift" />
            <DriftTable report={report} />
          </>
        )}
      <button type="button" class="secondary" onClick={load}>Refresh</button>
    </section>
  );
}
