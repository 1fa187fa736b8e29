import { chartColors } from '../reporting/chart-spec.js';
import { htmlReport } from '../reporting/html-report.js';
import { htmlTable } from '../reporting/html-text.js';
import type { GlobalImportance } from './global-importance.js';

/** A self-contained HTML page with a horizontal bar chart of global feature importance, largest first. */
export function importanceChartHtml(importance: GlobalImportance, title: string): string {
  return htmlReport({
    title,
    blocks: [
      `<p>Mean absolute contribution to the churn log-odds per input feature over ${importance.records - importance.invalid} customers
(exact TreeSHAP / linear SHAP; one-hot columns summed per feature), largest first; the table
after the chart also gives the mean signed contribution (which way the feature pushes on average). Base value (expected log-odds): ${importance.baseValue.toFixed(4)}.${importance.invalid > 0 ? ` ${importance.invalid} invalid records skipped.` : ''}</p>`,
      {
        kind: 'bars', title: 'Feature importance', valueLabel: 'mean |contribution| (log-odds)', color: chartColors.bar,
        bars: importance.features.map((f) => ({ label: f.feature, value: f.meanAbsolute })),
      },
      htmlTable(['feature', 'mean |contribution|', 'mean contribution'],
        importance.features.map((f) => [f.feature, f.meanAbsolute.toFixed(4), f.meanSigned.toFixed(4)])),
    ],
  });
}
