import { performance } from 'node:perf_hooks';
import type { FieldError, FieldReason } from '../errors.js';
import { encodedColumns, type FeatureSchema } from '../features/schema.js';
import type { ReferenceProfile } from '../model/reference-profile.js';
import { jensenShannonDivergence, populationStabilityIndex } from './divergence.js';
import { binOf, encodedBin, featureBinnings, type FeatureBinning } from './feature-bins.js';
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

/** What the serving core tells drift monitoring: each scored record with its score, and each refused record's field errors. */
export interface DriftObserver {
  observeRecord(record: Readonly<Record<string, unknown>>, score: number): void;
  refused(errors: readonly FieldError[]): void;
}

/**
 * Online drift of one model's inputs and scores against its reference profile. The serving core calls
 * `observe` (encoded row) or `observeRecord` (a validated record) once per scored record, and `refused` with the
 * field errors of every record it turned away; a snapshot computes the divergences when metrics are scraped
 * or GET /model/drift is asked, never on the hot path.
 *
 * Every record is one bin index per feature, one for the score and one out-of-range mark per numeric feature,
 * written as slot indices into one flat count array; the window keeps them to take the record out again.
 */
export class DriftMonitor implements DriftObserver {
  readonly features: readonly FeatureBinning[];
  private readonly window: SlidingCounts & { advance?: () => void };
  /** First slot of each feature's bins; the score's bins follow the features'. */
  private readonly base: Int32Array;
  private readonly scoreBase: number;
  private readonly scoreEdges: Float64Array;
  /** Per feature: its out-of-range slot (numerics) or the sink slot that nothing reads. */
  private readonly outOfRangeSlot: Int32Array;
  private readonly sinkSlot: number;
  private readonly scratch: Uint16Array;
  private readonly featureKeys: readonly string[];
  private readonly categoryLists: readonly (readonly string[] | undefined)[];
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
    this.sinkSlot = slot++;
    this.features.forEach((f, i) => { if (f.kind !== 'numeric') this.outOfRangeSlot[i] = this.sinkSlot; });
    if (slot > 0xffff) throw new RangeError(`${slot} bins do not fit the window's 16-bit slots`);
    const stride = 2 * n + 1;
    this.scratch = new Uint16Array(stride);
    const { window } = options;
    this.window = window.kind === 'records'
      ? new RecordWindow(slot, stride, window.size)
      : new TimeWindow(slot, stride, window.seconds, options.clock ?? (() => performance.now()));
    this.featureKeys = schema.features.map((f) => f.name);
    this.categoryLists = schema.features.map((f) => (f.kind === 'categorical' ? f.categories : undefined));
    this.refusals = new Float64Array((n + 1) * refusalReasons.length);
    this.featureByPointer = new Map(schema.features.map((f, i) => [`/${f.name.replace(/~/g, '~0').replace(/\//g, '~1')}`, i]));
  }

  /** Counts one scored record from its encoding (the record encoder's layout) at x[offset..]. */
  observe(x: Float64Array, offset: number, score: number): void {
    const { features, scratch, base, outOfRangeSlot, sinkSlot } = this;
    const n = features.length;
    for (let f = 0; f < n; f++) {
      const binning = features[f]!;
      scratch[f] = base[f]! + encodedBin(binning, x, offset);
      let mark = sinkSlot;
      if (binning.kind === 'numeric') {
        const value = x[offset + binning.column]!;
        if (value < binning.minimum || value > binning.maximum) mark = outOfRangeSlot[f]!;
      }
      scratch[n + 1 + f] = mark;
    }
    scratch[n] = this.scoreBase + binOf(this.scoreEdges, score);
    this.window.add(scratch, score);
  }

  /** Counts one scored record from the record itself (already validated against the schema). */
  observeRecord(record: Readonly<Record<string, unknown>>, score: number): void {
    const { features, scratch, base, outOfRangeSlot, sinkSlot, featureKeys, categoryLists } = this;
    const n = features.length;
    for (let f = 0; f < n; f++) {
      const binning = features[f]!;
      const value = record[featureKeys[f]!];
      let bin = binning.bins - 1;
      let mark = sinkSlot;
      if (binning.kind === 'numeric') {
        if (typeof value === 'number') {
          bin = binOf(binning.edges, value);
          if (value < binning.minimum || value > binning.maximum) mark = outOfRangeSlot[f]!;
        }
      } else {
        const categories = categoryLists[f]!;
        for (let c = 0; c < categories.length; c++) {
          if (categories[c] === value) { bin = c; break; }
        }
      }
      scratch[f] = base[f]! + bin;
      scratch[n + 1 + f] = mark;
    }
    scratch[n] = this.scoreBase + binOf(this.scoreEdges, score);
    this.window.add(scratch, score);
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
      return {
        name: binning.name,
        kind: binning.kind,
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
