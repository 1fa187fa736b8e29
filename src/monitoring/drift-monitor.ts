import { performance } from 'node:perf_hooks';
import type { FieldError, FieldReason } from '../errors.js';
import { encodedColumns, type FeatureSchema } from '../features/schema.js';
import type { ReferenceProfile } from '../model/reference-profile.js';
import { jensenShannonDivergence, populationStabilityIndex } from './divergence.js';
import { binOf, featureBinnings, type FeatureBinning } from './feature-bins.js';
import { generateRowBinning, rowBinningLoop, type CategoricalSlots, type NumericSlots, type RowBinning } from './row-binning.js';
import { RecordWindow, TimeWindow, type DriftWindowSpec, type SlidingCounts } from './sliding-window.js';

/** Below this many records in the window the divergences are too noisy to act on: reported, not exported. */
export const MINIMUM_WINDOW_RECORDS = 500;

/** The usual reading of the population stability index; the alerts use the second. */
export const PSI_THRESHOLDS = { moderate: 0.1, significant: 0.2 } as const;

/** Field failures that refused a record, as counted per feature: every FieldReason. */
export const refusalReasons: readonly FieldReason[] = ['not_object', 'required', 'type', 'not_finite', 'range', 'integer', 'category'];

export interface FeatureDrift {
  name: string;
  kind: 'categorical' | 'numeric';
  /**
   * False for an open string input (a foreign model's categorical whose values its file does not list): any
   * string is valid, so there are no bins to compare; only its refusals are counted, and no divergence is exported.
   */
  binned: boolean;
  psi: number;
  jensenShannon: number;
  /** Shares of the window's records: missing, and (numerics) outside the range seen in the reference. */
  missingShare: number;
  referenceMissingShare: number;
  outOfRangeShare: number;
  /** Values of this feature that made a record invalid since start-up, by reason (unknown categories: `category`). */
  refused: Partial<Record<FieldReason, number>>;
  /** Bin labels, and the share of each bin in the reference and in the window (missing values last). */
  bins: { labels: string[]; reference: number[]; live: number[] };
}

export interface DriftSnapshot {
  window: DriftWindowSpec & { records: number };
  /** Whether the window holds MINIMUM_WINDOW_RECORDS: below that the figures are shown but not alerted on. */
  enoughData: boolean;
  minimumRecords: number;
  thresholds: typeof PSI_THRESHOLDS;
  reference: { source: string; rows: number };
  score: { psi: number; jensenShannon: number; mean: number | null; bins: { labels: string[]; reference: number[]; live: number[] } };
  features: FeatureDrift[];
  /** Records refused for not being an object at all (no feature to blame). */
  refusedRecords: number;
}

export interface DriftMonitorOptions {
  window: DriftWindowSpec;
  /** Milliseconds, monotonic; performance.now by default (tests move time by hand). */
  clock?: () => number;
}

function shares(counts: ArrayLike<number>): number[] {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  return Array.from(counts, (c) => (total === 0 ? 0 : c / total));
}

function edgeLabels(edges: readonly number[]): string[] {
  if (edges.length === 0) return ['all'];
  return [`< ${edges[0]}`, ...edges.slice(1).map((edge, i) => `[${edges[i]}, ${edge})`), `>= ${edges[edges.length - 1]}`];
}

/** Records binned before they were scored, waiting for their scores to be counted (countRows). */
export interface BinnedRows {
  readonly rows: number;
  /** `stride` slot indices per row. */
  readonly slots: Uint16Array;
}

/**
 * Online drift of one model's inputs and scores against its reference profile. The data plane bins each valid
 * record's encoded row before the model scores it (the runtime contract does not promise to leave the row as it
 * was: an evaluator may read it as its library does, in place, as XGBoost's float32 rounding once did here),
 * counts it once the score is known, and tells `refused` the field errors of every record it turned away; a
 * snapshot computes the divergences when metrics are scraped or GET /model/drift is asked, never on the hot path.
 *
 * Every record is one bin index per feature, one for the score and one out-of-range mark per numeric feature,
 * written as slot indices; the window keeps them and counts them into totals when they are read.
 */
export class DriftMonitor {
  readonly features: readonly FeatureBinning[];
  /** Slot indices per record: its features' bins, its score's bin, its features' out-of-range marks. */
  readonly stride: number;
  private readonly window: SlidingCounts & { advance?: () => void };
  /** First slot of each feature's bins; the score's bins follow the features'. */
  private readonly base: Int32Array;
  private readonly scoreBase: number;
  private readonly scoreEdges: Float64Array;
  /** Per numeric feature: its out-of-range slot. */
  private readonly outOfRangeSlot: Int32Array;
  /** Writes a row's slots: generated code for this schema and profile, or the loop. */
  private readonly binRow: RowBinning;
  /** The one-record path's slots, between bin() and count(). */
  private readonly scratch: Uint16Array;
  /** Refused values per feature (rows; one more for the record itself) and reason (columns). */
  private readonly refusals: Float64Array;
  private readonly featureByPointer: Map<string, number>;

  constructor(readonly schema: FeatureSchema, readonly profile: ReferenceProfile, private readonly options: DriftMonitorOptions) {
    this.features = featureBinnings(schema, encodedColumns(schema), profile);
    const n = this.features.length;
    this.base = new Int32Array(n);
    let slot = 0;
    this.features.forEach((f, i) => { this.base[i] = slot; slot += f.bins; });
    this.scoreBase = slot;
    this.scoreEdges = Float64Array.from(profile.score.edges);
    slot += this.scoreEdges.length + 1;
    this.outOfRangeSlot = new Int32Array(n);
    this.features.forEach((f, i) => { if (f.kind === 'numeric') this.outOfRangeSlot[i] = slot++; });
    // Where a numeric value within the profile's range is marked: counted, never read.
    const inRange = slot++;
    if (slot > 0xffff) throw new RangeError(`${slot} bins do not fit the window's 16-bit slots`);
    const numerics: NumericSlots[] = [];
    const categoricals: CategoricalSlots[] = [];
    this.features.forEach((f, i) => {
      if (f.kind === 'numeric') {
        numerics.push({
          feature: i, column: f.column, base: this.base[i]!, edges: f.edges, missing: f.bins - 1,
          minimum: f.minimum, maximum: f.maximum, outOfRange: this.outOfRangeSlot[i]!, inRange,
        });
      } else {
        categoricals.push({ feature: i, firstColumn: f.firstColumn, categories: f.bins - 1, base: this.base[i]! });
      }
    });
    // Each feature's bin, the score's bin, then each numeric feature's out-of-range mark.
    this.stride = n + 1 + numerics.length;
    this.binRow = generateRowBinning(categoricals, numerics, n + 1) ?? rowBinningLoop(categoricals, numerics, n + 1);
    this.scratch = new Uint16Array(this.stride);
    const { window } = options;
    this.window = window.kind === 'records'
      ? new RecordWindow(slot, this.stride, window.size)
      : new TimeWindow(slot, this.stride, window.seconds, options.clock ?? (() => performance.now()));
    this.refusals = new Float64Array((n + 1) * refusalReasons.length);
    this.featureByPointer = new Map(schema.features.map((f, i) => [`/${f.name.replace(/~/g, '~0').replace(/\//g, '~1')}`, i]));
  }

  /**
   * The one-record path, in two steps around scoring: bins the encoded row at x[offset..] (the record encoder's
   * layout) into the monitor's own slots; count(score) must follow before any other bin(). No allocation.
   */
  bin(x: Float64Array, offset: number): void {
    this.binRow(x, offset, this.scratch, 0);
  }

  /** Counts the record bin() was last given, with its score. */
  count(score: number): void {
    this.countSlots(this.scratch, 0, score);
  }

  /** bin() then count(): one scored record whose row the scoring left as it was. */
  observe(x: Float64Array, offset: number, score: number): void {
    this.binRow(x, offset, this.scratch, 0);
    this.countSlots(this.scratch, 0, score);
  }

  /** Bins `rows` encoded rows (row-major, `width` values each) before they are scored; countRows counts them. */
  binRows(x: Float64Array, rows: number, width: number): BinnedRows {
    const slots = new Uint16Array(rows * this.stride);
    for (let r = 0; r < rows; r++) this.binRow(x, r * width, slots, r * this.stride);
    return { rows, slots };
  }

  /** Counts binned rows with their scores (one per row, in order). */
  countRows({ rows, slots }: BinnedRows, scores: ArrayLike<number>): void {
    for (let r = 0; r < rows; r++) this.countSlots(slots, r * this.stride, scores[r]!);
  }

  private countSlots(slots: Uint16Array, at: number, score: number): void {
    slots[at + this.features.length] = this.scoreBase + binOf(this.scoreEdges, score);
    this.window.add(slots, at, score);
  }

  /** Counts the field errors of one refused record (paths relative to the record: `/Contract`). */
  refused(errors: readonly FieldError[]): void {
    const reasons = refusalReasons.length;
    for (const error of errors) {
      const feature = this.featureByPointer.get(error.path) ?? this.features.length;
      const reason = refusalReasons.indexOf(error.reason);
      if (reason >= 0) this.refusals[feature * reasons + reason]!++;
    }
  }

  snapshot(): DriftSnapshot {
    this.window.advance?.();
    const { totals, records, scoreSum } = this.window;
    const reasons = refusalReasons.length;
    const features = this.features.map((binning, f): FeatureDrift => {
      const entry = this.profile.features[f]!;
      const reference = [...entry.counts, entry.missing];
      const live = Array.from(totals.subarray(this.base[f]!, this.base[f]! + binning.bins));
      const refused: Partial<Record<FieldReason, number>> = {};
      refusalReasons.forEach((reason, r) => {
        const count = this.refusals[f * reasons + r]!;
        if (count > 0) refused[reason] = count;
      });
      const labels = entry.kind === 'numeric' ? edgeLabels(entry.edges) : [...entry.categories];
      if (binning.kind === 'categorical' && binning.bins === 1) {
        return {
          name: binning.name, kind: binning.kind, binned: false, psi: 0, jensenShannon: 0, missingShare: 0, referenceMissingShare: 0,
          outOfRangeShare: 0, refused, bins: { labels: [], reference: [], live: [] },
        };
      }
      return {
        name: binning.name,
        kind: binning.kind,
        binned: true,
        psi: populationStabilityIndex(reference, live),
        jensenShannon: jensenShannonDivergence(reference, live),
        missingShare: records === 0 ? 0 : live[live.length - 1]! / records,
        referenceMissingShare: entry.missing / this.profile.rows,
        outOfRangeShare: records === 0 || binning.kind !== 'numeric' ? 0 : totals[this.outOfRangeSlot[f]!]! / records,
        refused,
        bins: { labels: [...labels, 'missing'], reference: shares(reference), live: shares(live) },
      };
    });
    const scoreBins = this.scoreEdges.length + 1;
    const scoreReference = [...this.profile.score.counts];
    const scoreLive = Array.from(totals.subarray(this.scoreBase, this.scoreBase + scoreBins));
    let refusedRecords = 0;
    for (let r = 0; r < reasons; r++) refusedRecords += this.refusals[this.features.length * reasons + r]!;
    return {
      window: { ...this.options.window, records },
      enoughData: records >= MINIMUM_WINDOW_RECORDS,
      minimumRecords: MINIMUM_WINDOW_RECORDS,
      thresholds: PSI_THRESHOLDS,
      reference: { source: this.profile.source, rows: this.profile.rows },
      score: {
        psi: populationStabilityIndex(scoreReference, scoreLive),
        jensenShannon: jensenShannonDivergence(scoreReference, scoreLive),
        mean: records === 0 ? null : scoreSum / records,
        bins: { labels: edgeLabels(this.profile.score.edges), reference: shares(scoreReference), live: shares(scoreLive) },
      },
      features,
      refusedRecords,
    };
  }
}
