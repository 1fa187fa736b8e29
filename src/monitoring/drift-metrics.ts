import { Counter, Gauge, type Registry } from 'prom-client';
import type { DriftMonitor, DriftSnapshot } from './drift-monitor.js';
import { refusalReasons } from './drift-monitor.js';

/** The label of refused values that belong to no feature (a record that is not an object). */
export const RECORD_LABEL = '_record';

/**
 * The drift monitor's figures as Prometheus metrics, computed at scrape time. Labels are bounded: `feature` takes
 * the model's feature names (plus `_record`), `reason` the FieldReason words. The divergences are exported only
 * once the window holds enough records (MINIMUM_WINDOW_RECORDS): an absent series alerts no one, a noisy one would.
 */
export function registerDriftMetrics(registry: Registry, drift: DriftMonitor): void {
  const registers = [registry];
  // One snapshot serves every metric of one scrape (prom-client collects them one after another, within one
  // turn of the event loop); the next scrape takes a fresh one.
  let cached: DriftSnapshot | undefined;
  const snapshot = (): DriftSnapshot => {
    if (cached === undefined) {
      cached = drift.snapshot();
      setImmediate(() => { cached = undefined; });
    }
    return cached;
  };
  const perFeature = (name: string, help: string, value: (f: DriftSnapshot['features'][number]) => number | undefined, onlyWithEnoughData: boolean) =>
    new Gauge({
      name, help, labelNames: ['feature'], registers,
      collect() {
        this.reset();
        const s = snapshot();
        if (onlyWithEnoughData && !s.enoughData) return;
        for (const f of s.features) {
          const v = value(f);
          if (v !== undefined) this.set({ feature: f.name }, v);
        }
      },
    });
  perFeature('churn_feature_drift_psi', 'Population stability index of each feature: the drift window against the training profile.', (f) => f.psi, true);
  perFeature('churn_feature_drift_jensen_shannon', 'Jensen-Shannon divergence (bits) of each feature: the drift window against the training profile.', (f) => f.jensenShannon, true);
  perFeature('churn_feature_missing_ratio', 'Share of the drift window\'s records missing the feature.', (f) => f.missingShare, false);
  perFeature('churn_feature_reference_missing_ratio', 'Share of the training profile\'s rows missing the feature.', (f) => f.referenceMissingShare, false);
  perFeature('churn_feature_out_of_range_ratio', 'Share of the drift window\'s records with the numeric feature outside the range seen in training.', (f) => (f.kind === 'numeric' ? f.outOfRangeShare : undefined), false);
  new Gauge({
    name: 'churn_score_drift_psi', help: 'Population stability index of the score: the drift window against the training profile.', registers,
    collect() {
      this.reset();
      const s = snapshot();
      if (s.enoughData) this.set(s.score.psi);
    },
  });
  new Gauge({
    name: 'churn_score_drift_jensen_shannon', help: 'Jensen-Shannon divergence (bits) of the score: the drift window against the training profile.', registers,
    collect() {
      this.reset();
      const s = snapshot();
      if (s.enoughData) this.set(s.score.jensenShannon);
    },
  });
  new Gauge({
    name: 'churn_score_window_mean', help: 'Mean score (churn probability) of the drift window.', registers,
    collect() {
      this.reset();
      const { mean } = snapshot().score;
      if (mean !== null) this.set(mean);
    },
  });
  new Gauge({
    name: 'churn_drift_window_records', help: 'Records in the drift window.', registers,
    collect() { this.set(snapshot().window.records); },
  });
  new Counter({
    name: 'churn_refused_values_total', help: 'Values that made a record invalid, by feature and reason (category: an unknown category).',
    labelNames: ['feature', 'reason'], registers,
    collect() {
      this.reset();
      const s = snapshot();
      for (const f of s.features) for (const [reason, count] of Object.entries(f.refused)) this.inc({ feature: f.name, reason }, count);
      if (s.refusedRecords > 0) this.inc({ feature: RECORD_LABEL, reason: refusalReasons[0]! }, s.refusedRecords);
    },
  });
}
