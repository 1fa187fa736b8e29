import type { GlobalImportance } from './global-importance.js';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A self-contained HTML page with a horizontal bar chart (inline SVG) of global feature importance. */
export function importanceChartHtml(importance: GlobalImportance, title: string): string {
  const rowHeight = 26;
  const labelWidth = 170;
  const barWidth = 520;
  const top = 30;
  const max = Math.max(...importance.features.map((f) => f.meanAbsolute), 1e-12);
  const height = top + importance.features.length * rowHeight + 40;
  const bars = importance.features.map((f, i) => {
    const y = top + i * rowHeight;
    const width = (f.meanAbsolute / max) * barWidth;
    return [
      `<text x="${labelWidth - 8}" y="${y + 17}" text-anchor="end">${escapeHtml(f.feature)}</text>`,
      `<rect x="${labelWidth}" y="${y + 4}" width="${width.toFixed(1)}" height="${rowHeight - 8}" fill="#2471a3"><title>${escapeHtml(f.feature)}: mean |contribution| ${f.meanAbsolute.toFixed(4)}, mean ${f.meanSigned.toFixed(4)}</title></rect>`,
      `<text x="${labelWidth + width + 6}" y="${y + 17}" class="value">${f.meanAbsolute.toFixed(3)}</text>`,
    ].join('');
  }).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222}svg text{font-size:13px}svg text.value{fill:#555}p{max-width:760px}</style></head>
<body><h1>${escapeHtml(title)}</h1>
<p>Mean absolute contribution to the churn log-odds per input feature over ${importance.records - importance.invalid} customers
(exact TreeSHAP / linear SHAP; one-hot columns summed per feature), largest first. Hover a bar for its mean signed contribution.
Base value (expected log-odds): ${importance.baseValue.toFixed(4)}.${importance.invalid > 0 ? ` ${importance.invalid} invalid records skipped.` : ''}</p>
<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + barWidth + 80}" height="${height}" role="img" aria-label="feature importance chart">
<text x="${labelWidth}" y="18" class="value">mean |contribution| (log-odds)</text>
${bars}
</svg></body></html>
`;
}
