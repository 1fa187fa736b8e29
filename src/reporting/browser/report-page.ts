import type { ChartSpec } from '../chart-spec.js';
import 'uplot/dist/uPlot.min.css';
import { drawChart } from './uplot-charts.js';

/**
 * The script every HTML report inlines: draws each `[data-chart-index]` placeholder from the chart specs the
 * report wrote into `#report-charts-data` (see src/reporting/html-report.ts).
 */
function drawReportCharts(): void {
  const data = document.getElementById('report-charts-data');
  if (data === null) return;
  const specs = JSON.parse(data.textContent ?? '[]') as ChartSpec[];
  for (const element of document.querySelectorAll<HTMLElement>('[data-chart-index]')) {
    const spec = specs[Number(element.dataset['chartIndex'])];
    if (spec !== undefined) drawChart(element, spec);
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', drawReportCharts);
else drawReportCharts();
