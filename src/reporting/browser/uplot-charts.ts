import uPlot from 'uplot';
import { chartColors, waterfallLevels, type BarChartSpec, type ChartSpec, type HistogramSpec, type LineChartSpec, type WaterfallSpec } from '../chart-spec.js';

/**
 * Draws a ChartSpec with uPlot, the one chart library of the console and the HTML reports. uPlot puts the
 * title above the plot and the legend below it as HTML, so neither can overlap the other; it redraws on resize.
 */
export interface DrawnChart {
  readonly plot: uPlot;
  destroy(): void;
}

const ROW_HEIGHT = 26;
const short = (v: number) => (Math.abs(v) >= 1000 ? `${Number((v / 1000).toPrecision(3))}k` : String(Number(v.toPrecision(3))));
const signed = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(3)}`;

/** Width of a category axis that must show its longest label (about 7 px a character at 12 px). */
const labelAxisSize = (labels: readonly string[]) => Math.min(260, 16 + 7 * Math.max(4, ...labels.map((l) => l.length)));

/** Categories down the left side, values along the bottom: horizontal bars, first category on top. */
function categoryScales(count: number, low: number, high: number): uPlot.Scales {
  const pad = (high - low) * 0.06 || 1;
  return {
    x: { time: false, ori: 1, dir: -1, range: () => [-0.5, count - 0.5] },
    y: { ori: 0, range: () => [Math.min(0, low - pad), Math.max(0, high + pad)] },
  };
}

function categoryAxes(labels: readonly string[], valueLabel: string): uPlot.Axis[] {
  return [
    { side: 3, size: labelAxisSize(labels), splits: () => labels.map((_, i) => i), values: (_u, splits) => splits.map((i) => labels[i] ?? ''), grid: { show: false }, ticks: { show: false } },
    { side: 2, label: valueLabel, values: (_u, splits) => splits.map(short) },
  ];
}

function lineOptions(spec: LineChartSpec, width: number): [uPlot.Options, uPlot.AlignedData] {
  const options: uPlot.Options = {
    title: spec.title,
    width,
    height: 260,
    // From 0 (rates, latencies, counts), and a unit range while every value is still missing.
    scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, max === null || !(max > 0) ? 1 : max * 1.05] } },
    axes: [
      { label: spec.xLabel, values: (_u, splits) => splits.map(short) },
      { label: spec.yLabel, values: (_u, splits) => splits.map(short), size: 56 },
    ],
    series: [
      { label: spec.xLabel, value: (_u, v) => (v === null ? '' : short(v)) },
      ...spec.series.map((s): uPlot.Series => ({
        label: s.name, stroke: s.color, width: 1.8, spanGaps: false, points: { show: false },
        ...(s.dashed === true ? { dash: [6, 4] } : {}),
        value: (_u, v) => (v === null ? '–' : short(v)),
      })),
    ],
  };
  return [options, [spec.x as number[], ...spec.series.map((s) => s.values as (number | null)[])]];
}

function barOptions(spec: BarChartSpec, width: number): [uPlot.Options, uPlot.AlignedData] {
  const labels = spec.bars.map((b) => b.label);
  const values = spec.bars.map((b) => b.value);
  const options: uPlot.Options = {
    title: spec.title,
    width,
    height: 60 + ROW_HEIGHT * spec.bars.length,
    scales: categoryScales(spec.bars.length, Math.min(0, ...values), Math.max(...values)),
    axes: categoryAxes(labels, spec.valueLabel),
    cursor: { points: { show: false } },
    // The values are in the chart's data table; a legend of one series would only repeat the title.
    legend: { show: false },
    series: [
      { label: 'feature', value: (_u, i) => (i === null ? '' : labels[i] ?? '') },
      {
        label: spec.valueLabel, fill: spec.color, stroke: spec.color, width: 0,
        paths: uPlot.paths.bars!({ size: [0.7, 22] }), points: { show: false },
        value: (_u, v) => (v === null ? '' : v.toFixed(4)),
      },
    ],
  };
  return [options, [labels.map((_, i) => i), values]];
}

function waterfallOptions(spec: WaterfallSpec, width: number): [uPlot.Options, uPlot.AlignedData] {
  const levels = waterfallLevels(spec);
  const end = levels[levels.length - 1]!;
  const labels = [spec.start.label, ...spec.steps.map((s) => s.label), spec.endLabel];
  // Bars float from the running total before a step to the one after it; the first and last stand on 0.
  const from = [0, ...levels.slice(0, -1).slice(0, spec.steps.length), 0];
  const to = [spec.start.value, ...levels.slice(1), end];
  const colors = labels.map((_, i) => (i === 0 || i === labels.length - 1 ? chartColors.neutral
    : spec.steps[i - 1]!.delta >= 0 ? chartColors.raises : chartColors.lowers));
  const deltas = [spec.start.value, ...spec.steps.map((s) => s.delta), end];
  const options: uPlot.Options = {
    title: spec.title,
    width,
    height: 60 + ROW_HEIGHT * labels.length,
    scales: categoryScales(labels.length, Math.min(...from, ...to), Math.max(...from, ...to)),
    axes: categoryAxes(labels, spec.valueLabel),
    cursor: { points: { show: false } },
    legend: { show: false },
    series: [
      { label: 'step', value: (_u, i) => (i === null ? '' : labels[i] ?? '') },
      {
        label: spec.valueLabel, width: 0, fill: chartColors.neutral, points: { show: false },
        paths: uPlot.paths.bars!({
          size: [0.7, 22],
          disp: {
            y0: { unit: 1, values: () => from },
            y1: { unit: 1, values: () => to },
            fill: { unit: 3, values: () => colors },
          },
        }),
        value: (_u, _v, _s, i) => (i === null ? '' : i === 0 || i === labels.length - 1 ? deltas[i]!.toFixed(3) : signed(deltas[i]!)),
      },
    ],
  };
  return [options, [labels.map((_, i) => i), to]];
}

function histogramOptions(spec: HistogramSpec, width: number): [uPlot.Options, uPlot.AlignedData] {
  const centres = spec.counts.map((_, i) => (spec.edges[i]! + spec.edges[i + 1]!) / 2);
  const { marker } = spec;
  const colors = spec.counts.map((_, i) => (marker !== undefined && spec.edges[i]! >= marker.at - 1e-12 ? chartColors.raises : chartColors.lowers));
  const drawMarker = (u: uPlot) => {
    if (marker === undefined) return;
    const x = u.valToPos(marker.at, 'x', true);
    const { ctx } = u;
    const ratio = window.devicePixelRatio || 1;
    ctx.save();
    ctx.strokeStyle = chartColors.marker;
    ctx.fillStyle = chartColors.marker;
    ctx.lineWidth = 2 * ratio;
    ctx.setLineDash([6 * ratio, 4 * ratio]);
    ctx.beginPath();
    ctx.moveTo(x, u.bbox.top);
    ctx.lineTo(x, u.bbox.top + u.bbox.height);
    ctx.stroke();
    ctx.font = `${12 * ratio}px system-ui, sans-serif`;
    const onLeft = marker.at > 0.7;
    ctx.textAlign = onLeft ? 'right' : 'left';
    ctx.fillText(marker.label, x + (onLeft ? -6 : 6) * ratio, u.bbox.top + 14 * ratio);
    ctx.restore();
  };
  const options: uPlot.Options = {
    title: spec.title,
    width,
    height: 240,
    scales: { x: { time: false, range: () => [spec.edges[0]!, spec.edges[spec.edges.length - 1]!] }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.08)] } },
    axes: [{ label: spec.xLabel }, { label: spec.yLabel, values: (_u, splits) => splits.map(short), size: 56 }],
    cursor: { points: { show: false } },
    legend: { show: false },
    hooks: { draw: [drawMarker] },
    series: [
      { label: spec.xLabel, value: (_u, v, _s, i) => (v === null || i === null ? '' : `${short(spec.edges[i]!)}–${short(spec.edges[i + 1]!)}`) },
      {
        label: spec.yLabel, width: 0, fill: chartColors.lowers, points: { show: false },
        paths: uPlot.paths.bars!({ size: [0.92, 200], disp: { fill: { unit: 3, values: () => colors } } }),
        value: (_u, v) => (v === null ? '' : String(v)),
      },
    ],
  };
  return [options, [centres, spec.counts as number[]]];
}

function optionsOf(spec: ChartSpec, width: number): [uPlot.Options, uPlot.AlignedData] {
  switch (spec.kind) {
    case 'line': return lineOptions(spec, width);
    case 'bars': return barOptions(spec, width);
    case 'waterfall': return waterfallOptions(spec, width);
    case 'histogram': return histogramOptions(spec, width);
  }
}

const widthOf = (element: HTMLElement) => Math.max(280, Math.floor(element.clientWidth || 800));

/** Draws `spec` into `container` (replacing what was there) at the container's width, following its resizes. */
export function drawChart(container: HTMLElement, spec: ChartSpec): DrawnChart {
  container.replaceChildren();
  const [options, data] = optionsOf(spec, widthOf(container));
  const plot = new uPlot(options, data, container);
  const observer = new ResizeObserver(() => {
    const width = widthOf(container);
    if (width !== plot.width) plot.setSize({ width, height: plot.height });
  });
  observer.observe(container);
  return {
    plot,
    destroy: () => {
      observer.disconnect();
      plot.destroy();
    },
  };
}
