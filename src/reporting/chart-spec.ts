/**
 * Charts described as plain data, so Node (the HTML reports) and the browser (the console) draw them with the
 * same code: the reports serialise specs into the page, the console builds them from API answers, and
 * src/reporting/browser/ turns either into uPlot charts. No DOM and no Node types here: both sides compile it.
 */

/** One line over the chart's shared x values; a null leaves a gap (an interval with no data). */
export interface LineSeries {
  readonly name: string;
  readonly color: string;
  /** Dashed, so a reference line (an offered rate, a target) stays visible under a series that matches it. */
  readonly dashed?: boolean;
  readonly values: readonly (number | null)[];
}

export interface LineChartSpec {
  readonly kind: 'line';
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly x: readonly number[];
  readonly series: readonly LineSeries[];
}

/** Horizontal bars, drawn top to bottom in the given order (global feature importance). */
export interface BarChartSpec {
  readonly kind: 'bars';
  readonly title: string;
  readonly valueLabel: string;
  readonly bars: readonly { readonly label: string; readonly value: number }[];
  readonly color: string;
}

/**
 * From a start value through signed steps to the end value (start + every step): the exact contributions of
 * an explanation, base value to the final score. Steps that raise are drawn in one colour, those that lower in another.
 */
export interface WaterfallSpec {
  readonly kind: 'waterfall';
  readonly title: string;
  readonly valueLabel: string;
  readonly start: { readonly label: string; readonly value: number };
  readonly steps: readonly { readonly label: string; readonly delta: number }[];
  readonly endLabel: string;
}

/** Counts per bin (bins of equal width from `edges[i]` to `edges[i + 1]`), with an optional marked value. */
export interface HistogramSpec {
  readonly kind: 'histogram';
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly edges: readonly number[];
  readonly counts: readonly number[];
  /** A vertical line (the decision threshold); bins at or above it take `markerColor`. */
  readonly marker?: { readonly at: number; readonly label: string };
}

export type ChartSpec = LineChartSpec | BarChartSpec | WaterfallSpec | HistogramSpec;

/** The colours every chart uses for meaning (chosen for contrast on white and for colour-blind readers). */
export const chartColors = {
  raises: '#c0392b',
  lowers: '#1f77b4',
  neutral: '#5d6d7e',
  bar: '#2471a3',
  marker: '#111111',
} as const;

/** A long line chart's table keeps at most this many rows (evenly spaced), or it would dwarf the page. */
const MAX_TABLE_ROWS = 120;

const cell = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? '' : String(Number(v.toPrecision(6))));

/** The points of the end of each waterfall step: start, start + d1, start + d1 + d2, ... */
export function waterfallLevels(spec: WaterfallSpec): number[] {
  const levels = [spec.start.value];
  for (const step of spec.steps) levels.push(levels[levels.length - 1]! + step.delta);
  return levels;
}

/**
 * The chart's data as a table (header, rows, caption): what a screen reader or a reader without scripts gets
 * instead of the canvas. Long line charts are thinned to evenly spaced rows, and the caption says so.
 */
export function chartTable(spec: ChartSpec): { header: string[]; rows: string[][]; caption: string } {
  switch (spec.kind) {
    case 'line': {
      const step = Math.max(1, Math.ceil(spec.x.length / MAX_TABLE_ROWS));
      const rows: string[][] = [];
      for (let i = 0; i < spec.x.length; i += step) rows.push([cell(spec.x[i]), ...spec.series.map((s) => cell(s.values[i]))]);
      const thinned = step > 1 ? `; every ${step}th of ${spec.x.length} points` : '';
      return { header: [spec.xLabel, ...spec.series.map((s) => s.name)], rows, caption: `${spec.title} (${spec.yLabel}${thinned})` };
    }
    case 'bars':
      return { header: ['', spec.valueLabel], rows: spec.bars.map((b) => [b.label, cell(b.value)]), caption: spec.title };
    case 'waterfall': {
      const levels = waterfallLevels(spec);
      return {
        header: ['', 'change', 'running total'],
        rows: [
          [spec.start.label, '', cell(spec.start.value)],
          ...spec.steps.map((s, i) => [s.label, `${s.delta >= 0 ? '+' : ''}${cell(s.delta)}`, cell(levels[i + 1])]),
          [spec.endLabel, '', cell(levels[levels.length - 1])],
        ],
        caption: `${spec.title} (${spec.valueLabel})`,
      };
    }
    case 'histogram':
      return {
        header: [spec.xLabel, spec.yLabel],
        rows: spec.counts.map((c, i) => [`${cell(spec.edges[i])} to ${cell(spec.edges[i + 1])}`, String(c)]),
        caption: spec.marker === undefined ? spec.title : `${spec.title}; ${spec.marker.label}`,
      };
  }
}
