/**
 * The peers chart: two panels of horizontal bars (single-row requests and 1,000-row batch rows per second of
 * server CPU at saturation: throughput per core, steady on a shared machine), one bar per server, as an SVG. Kept in this one file so it can move onto the project's chart
 * library (src/reporting) when that exists.
 */
import { perCpuSecond, type PeerResult } from './peers-table.js';

const escape = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

interface Panel {
  title: string;
  value: (r: PeerResult) => number | undefined;
}

const panels: Panel[] = [
  { title: 'Single-row requests per second of server CPU (what one whole core serves)', value: (r) => perCpuSecond(r.scenarios['single-saturation']) },
  { title: '1,000-row batches: rows per second of server CPU', value: (r) => perCpuSecond(r.scenarios['batch-1000']) },
];

export function peersChartSvg(results: readonly PeerResult[], subtitle: string): string {
  const width = 900;
  const labelWidth = 290;
  const barArea = width - labelWidth - 110;
  const barHeight = 18;
  const gap = 6;
  const rows = results.filter((r) => r.error === undefined);
  const panelHeight = 30 + rows.length * (barHeight + gap);
  const height = 50 + panels.length * (panelHeight + 20);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="10" y="20" font-size="15" font-weight="bold">Model servers side by side, same model, one core each</text>`,
    `<text x="10" y="38" fill="#555">${escape(subtitle)}; * another model (see the table's notes)</text>`,
  ];
  let top = 50;
  for (const panel of panels) {
    const max = Math.max(1, ...rows.map((r) => panel.value(r) ?? 0));
    parts.push(`<text x="10" y="${top + 16}" font-weight="bold">${escape(panel.title)}</text>`);
    rows.forEach((r, i) => {
      const y = top + 28 + i * (barHeight + gap);
      const value = panel.value(r);
      const ours = r.id.startsWith('ours');
      const w = value === undefined ? 0 : Math.max(1, (value / max) * barArea);
      parts.push(
        `<text x="${labelWidth - 8}" y="${y + 13}" text-anchor="end">${escape(r.label + (r.modelNote === undefined ? '' : ' *'))}</text>`,
        `<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="${ours ? '#2b6cb0' : '#a0aec0'}"/>`,
        `<text x="${labelWidth + w + 6}" y="${y + 13}">${value === undefined ? 'n/a' : Math.round(value).toLocaleString('en-US')}</text>`,
      );
    });
    top += panelHeight + 20;
  }
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
