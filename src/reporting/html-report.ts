import { chartTable, type ChartSpec } from './chart-spec.js';
import { escapeHtml, htmlTable, jsonForScript } from './html-text.js';
import { webAsset } from './web-assets.js';

/** A block of a report: HTML already escaped by its author, or a chart drawn where it stands. */
export type ReportBlock = string | ChartSpec;

export interface HtmlReport {
  title: string;
  blocks: readonly ReportBlock[];
}

const pageStyle = `
body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 960px; padding: 0 16px; color: #1b1b1b; }
table { border-collapse: collapse; margin: 12px 0; }
th, td { border: 1px solid #c8c8c8; padding: 4px 10px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
pre { background: #f4f4f4; padding: 12px; overflow-x: auto; font-size: 12px; }
figure { margin: 20px 0; }
figure details { font-size: 13px; }
.warning { color: #8a4b00; font-weight: bold; }
.chart { min-height: 200px; }
.u-legend th, .u-legend td { border: none; padding: 2px 4px; }
`;

/** A chart's place on the page: drawn by the inline script, with its data as a table for readers without it. */
function chartFigure(spec: ChartSpec, index: number): string {
  const table = chartTable(spec);
  return `<figure>
<div class="chart" data-chart-index="${index}" role="img" aria-label="${escapeHtml(table.caption)}"></div>
<noscript><p>The chart needs JavaScript; its data is in the table below.</p></noscript>
<details><summary>Data of the chart &ldquo;${escapeHtml(spec.title)}&rdquo;</summary>${htmlTable(table.header, table.rows, table.caption)}</details>
</figure>`;
}

/**
 * A report as one self-contained HTML file: the page shell, its blocks in order, and the chart library and
 * chart data inline, so it opens offline from disk and survives being attached to a ticket.
 */
export function htmlReport({ title, blocks }: HtmlReport): string {
  const charts: ChartSpec[] = [];
  const body = blocks.map((block) => {
    if (typeof block === 'string') return block;
    charts.push(block);
    return chartFigure(block, charts.length - 1);
  });
  const scripts = charts.length === 0 ? '' : `<script type="application/json" id="report-charts-data">${jsonForScript(charts)}</script>
<script>${webAsset('report-charts.js').replace(/<\/script/gi, '<\\/script')}</script>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${pageStyle}${charts.length === 0 ? '' : webAsset('report-charts.css')}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body.join('\n')}
${scripts}
</body>
</html>
`;
}
