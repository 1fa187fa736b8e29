/** One line of a chart; a null y leaves a gap (an interval with no responses). */
export interface ChartSeries {
  name: string;
  color: string;
  /** Dashed, so a reference line (the offered rate) stays visible under a series that matches it. */
  dashed?: boolean;
  points: readonly (readonly [number, number | null])[];
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly ChartSeries[];
  width?: number;
  height?: number;
}

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Round tick steps (1, 2, 5 x 10^n) so axes read like a person drew them. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let v = 0; v < max + step * 0.999; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

const label = (v: number) => (Math.abs(v) >= 1000 ? `${Number((v / 1000).toPrecision(3))}k` : String(Number(v.toPrecision(3))));

/**
 * A self-contained SVG line chart (no script, no external assets), so a report opens from disk in any
 * browser and survives being attached to a ticket.
 */
export function svgLineChart({ title, xLabel, yLabel, series, width = 860, height = 260 }: LineChartOptions): string {
  const margin = { left: 64, right: 16, top: 32, bottom: 44 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  let xMax = 0;
  let yMax = 0;
  for (const s of series) {
    for (const [x, y] of s.points) {
      xMax = Math.max(xMax, x);
      if (y !== null && Number.isFinite(y)) yMax = Math.max(yMax, y);
    }
  }
  const xTicks = niceTicks(xMax || 1, 8);
  const yTicks = niceTicks(yMax || 1, 5);
  const xTop = xTicks[xTicks.length - 1]!;
  const yTop = yTicks[yTicks.length - 1]!;
  const px = (x: number) => margin.left + (x / xTop) * plotW;
  const py = (y: number) => margin.top + plotH - (y / yTop) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(title)}">`,
    `<text x="${margin.left}" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  for (const y of yTicks) {
    parts.push(`<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${py(y).toFixed(1)}" y2="${py(y).toFixed(1)}" stroke="#ddd"/>`,
      `<text x="${margin.left - 6}" y="${(py(y) + 4).toFixed(1)}" font-size="11" text-anchor="end">${label(y)}</text>`);
  }
  for (const x of xTicks) {
    parts.push(`<text x="${px(x).toFixed(1)}" y="${margin.top + plotH + 16}" font-size="11" text-anchor="middle">${label(x)}</text>`);
  }
  parts.push(
    `<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#333"/>`,
    `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${margin.top + plotH}" y2="${margin.top + plotH}" stroke="#333"/>`,
    `<text x="${margin.left + plotW / 2}" y="${height - 6}" font-size="12" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text transform="translate(14 ${margin.top + plotH / 2}) rotate(-90)" font-size="12" text-anchor="middle">${escapeXml(yLabel)}</text>`,
  );
  series.forEach((s, i) => {
    // Split at nulls so a gap in the data is a gap in the line, not a straight bridge over it.
    let path = '';
    let pen = false;
    for (const [x, y] of s.points) {
      if (y === null || !Number.isFinite(y)) { pen = false; continue; }
      path += `${pen ? 'L' : 'M'}${px(x).toFixed(1)},${py(y).toFixed(1)}`;
      pen = true;
    }
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    if (path !== '') parts.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="1.8"${dash}><title>${escapeXml(s.name)}</title></path>`);
    const lx = margin.left + plotW - 140 * (series.length - i);
    parts.push(`<rect x="${lx}" y="10" width="12" height="4" fill="${s.color}"/>`,
      `<text x="${lx + 16}" y="16" font-size="11">${escapeXml(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
