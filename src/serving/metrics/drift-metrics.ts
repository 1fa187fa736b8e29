import type { Registry } from 'prom-client';
import { refusalReasons, type DriftMonitor, type DriftSnapshot, type FeatureDrift } from '../../monitoring/drift-monitor.js';
import { CounterFamily, GaugeFamily } from './metric-families.js';

/** The label of refused values that belong to no feature (a record that is not an object). */
export const RECORD_LABEL = '_record';

/**
 * The drift monitor's figures as Prometheus metrics, computed at scrape time from the monitor `current()` returns
 * (the served model's: a swapped-in model brings its own, with its own reference profile; none, no series).
 * Labels are bounded: `feature` takes the model's feature names (plus `_record`), `reason` the FieldReason words.
 * The divergences are exported only once the window holds enough records (MINIMUM_WINDOW_RECORDS): an absent
 * series alerts no one, a noisy one would (and so would a 0 standing for "not yet").
 */
export function registerDriftMetrics(registry: Registry, current: () => DriftMonitor | undefined): void {
  // One snapshot serves every family of one scrape (the registry collects them one after another, within one
  // turn of the event loop); the next scrape takes a fresh one.
  let cached: { monitor: DriftMonitor; snapshot: DriftSnapshot } | undefined;
  const snapshot = (): DriftSnapshot | undefined => {
    const monitor = current();
    if (monitor === undefined) return undefined;
    if (cached?.monitor !== monitor) {
      cached = { monitor, snapshot: monitor.snapshot() };
      setImmediate(() => { cached = undefined; });
    }
    return cached.snapshot;
  };
  /** A gauge whose series are set afresh at each scrape from the snapshot (none when there is no monitor). */
  const gauge = (name: string, help: string, fill: (set: (labels: Record<string, string>, value: number) => void, s: DriftSnapshot) => void): GaugeFamily => {
    const family: GaugeFamily = new GaugeFamily(name, help, () => {
      family.clear();
      const s = snapshot();
      if (s !== undefined) fill((labels, value) => family.reads(labels, () => value), s);
    });
    return family;
  };
  const perFeature = (name: string, help: string, value: (f: FeatureDrift) => number | undefined, onlyWithEnoughData: boolean) =>
    gauge(name, help, (set, s) => {
      if (onlyWithEnoughData && !s.enoughData) return;
      for (const f of s.features) {
        const v = f.binned ? value(f) : undefined;
        if (v !== undefined) set({ feature: f.name }, v);
      }
    });
  const refused: CounterFamily = new CounterFamily('churn_refused_values_total', 'Values that made a record invalid, by feature and reason (category: an unknown category).', () => {
    refused.clear();
    const s = snapshot();
    if (s === undefined) return;
    for (const f of s.features) for (const [reason, count] of Object.entries(f.refused)) refused.series({ feature: f.name, reason }).value = count;
    if (s.refusedRecords > 0) refused.series({ feature: RECORD_LABEL, reason: refusalReasons[0]! }).value = s.refusedRecords;
  });
  const families = [
    perFeature('churn_feature_drift_psi', 'Population stability index of each feature: the drift window against the training profile.', (f) => f.psi, true),
    perFeature('churn_feature_drift_jensen_shannon', 'Jensen-Shannon divergence (bits) of each feature: the drift window against the training profile.', (f) => f.jensenShannon, true),
    perFeature('churn_feature_missing_ratio', 'Share of the drift window\'s records missing the feature.', (f) => f.missingShare, false),
    perFeature('churn_feature_reference_missing_ratio', 'Share of the training profile\'s rows missing the feature.', (f) => f.referenceMissingShare, false),
    perFeature('churn_feature_out_of_range_ratio', 'Share of the drift window\'s records with the numeric feature outside the range seen in training.', (f) => (f.kind === 'numeric' ? f.outOfRangeShare : undefined), false),
    gauge('churn_score_drift_psi', 'Population stability index of the score: the drift window against the training profile.', (set, s) => {
      if (s.enoughData) set({}, s.score.psi);
    }),
    gauge('churn_score_drift_jensen_shannon', 'Jensen-Shannon divergence (bits) of the score: the drift window against the training profile.', (set, s) => {
      if (s.enoughData) set({}, s.score.jensenShannon);
    }),
    gauge('churn_score_window_mean', 'Mean monitored score of the drift window (binary classifiers: the churn probability).', (set, s) => {
      if (s.score.mean !== null) set({}, s.score.mean);
    }),
    gauge('churn_drift_window_records', 'Records in the drift window.', (set, s) => set({}, s.window.records)),
    refused,
  ];
  for (const family of families) registry.registerMetric(family as never);
}
