import { collectDefaultMetrics, Registry } from 'prom-client';
import type { ModelProvenance } from '../../sources/model-provenance.js';
import { protocols, type Protocol } from '../protocol.js';
import { CounterFamily, GaugeFamily, HistogramFamily, type CounterSeries, type HistogramSeries } from './metric-families.js';

/** The stages of one call through the data plane, each with its own histogram. */
export const stages = ['decode', 'validate_encode', 'score', 'explain', 'encode'] as const;
export type Stage = (typeof stages)[number];

/** One protocol's stage histograms for one model: bound once, observed without label hashing. */
export type StageSeries = Readonly<Record<Stage, HistogramSeries>>;

// From a one-record validation (about a microsecond) to a large explained batch.
const STAGE_BUCKETS = [1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

export interface ServingMetricsOptions {
  /** process_* and nodejs_* metrics (CPU, memory, event-loop lag): on for a server, off for the CLI and tests. */
  processMetrics?: boolean;
}

/**
 * The Prometheus metrics of the serving core, in their own registry (several servers can live in one test
 * process). Transports add their own (HTTP request durations) to the same registry.
 */
export class ServingMetrics {
  readonly registry = new Registry();
  private readonly stageFamily = new HistogramFamily(
    'churn_inference_stage_seconds', 'Time per call in each stage of the data plane, by model, protocol and stage.', STAGE_BUCKETS,
  );
  private readonly requestFamily = new CounterFamily('churn_requests_total', 'Data-plane requests answered, by protocol and outcome code (OK or an error code).');
  private readonly inFlightFamily = new GaugeFamily('churn_requests_in_flight', 'Data-plane requests received and not yet answered, by protocol.');
  private readonly modelFamily = new GaugeFamily('churn_model_info', 'The model being served (always 1), with where it came from (source; for an MLflow registry, the registered model, alias and run id).');
  private readonly queueFamily = new GaugeFamily('churn_run_queue_calls', 'Admitted data-plane calls waiting for the CPU in the run queue (every protocol).');
  private readonly queueWaitFamily = new GaugeFamily('churn_run_queue_expected_wait_seconds', 'What a call admitted now would wait: calls waiting times the mean time of a call. Over MAX_EVENT_LOOP_DELAY_MS, new calls are shed.');
  private readonly refreshFamily = new CounterFamily('churn_model_refresh_total', 'Polls of the followed MLflow alias (MODEL_REFRESH_SECONDS), by outcome: unchanged, swapped, failed (the new version did not load; the old one serves), poll_failed.');
  /** Request counters by protocol and code, in nested maps (no key string built per request). */
  private readonly requestSeries = new Map<Protocol, Map<string, CounterSeries>>();
  readonly outcomes: { readonly churn: CounterSeries; readonly noChurn: CounterSeries };
  readonly invalidRecords: CounterSeries;
  readonly batchSize: HistogramSeries;

  constructor(options: ServingMetricsOptions = {}) {
    if (options.processMetrics === true) {
      // process_cpu_seconds_total is read by the load generator's calibration; nodejs_eventloop_lag_* by operators.
      collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
    }
    const predictions = new CounterFamily('churn_predictions_total', 'Records scored, by outcome at the decision threshold.');
    this.outcomes = { churn: predictions.series({ outcome: 'churn' }), noChurn: predictions.series({ outcome: 'no_churn' }) };
    const invalid = new CounterFamily('churn_invalid_records_total', 'Records rejected by validation.');
    this.invalidRecords = invalid.series();
    const batchSizes = new HistogramFamily('churn_batch_size', 'Records per batch request.', [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 50000, 100000]);
    this.batchSize = batchSizes.series();
    for (const family of [this.stageFamily, this.requestFamily, this.inFlightFamily, this.queueFamily, this.queueWaitFamily, this.modelFamily, this.refreshFamily, predictions, invalid, batchSizes]) {
      this.registry.registerMetric(family as never);
    }
  }

  /** Every protocol's stage histograms for a model, to keep on the data plane. */
  stagesFor(model: string): Readonly<Record<Protocol, StageSeries>> {
    const byProtocol = {} as Record<Protocol, StageSeries>;
    for (const protocol of protocols) {
      const series = {} as Record<Stage, HistogramSeries>;
      for (const stage of stages) series[stage] = this.stageFamily.series({ model, protocol, stage });
      byProtocol[protocol] = series;
    }
    return byProtocol;
  }

  /** Marks the model being served; a swapped-in version replaces the previous one. */
  serving(model: { name: string; version: string; provenance?: ModelProvenance | undefined }): void {
    this.modelFamily.clear();
    const { provenance } = model;
    const mlflow = provenance?.mlflow;
    this.modelFamily.reads({
      name: model.name, version: model.version,
      ...(provenance === undefined ? {} : { source: provenance.kind }),
      ...(mlflow === undefined ? {} : { registered_model: mlflow.registeredModel ?? '', alias: mlflow.alias ?? '', run_id: mlflow.runId ?? '' }),
    }, () => 1);
  }

  /** Counts one poll of a followed alias. */
  refreshed(outcome: 'unchanged' | 'swapped' | 'failed' | 'poll_failed'): void {
    this.refreshFamily.series({ outcome }).value++;
  }

  /** Counts one answered data-plane request. */
  answered(protocol: Protocol, code: string): void {
    let byCode = this.requestSeries.get(protocol);
    if (byCode === undefined) this.requestSeries.set(protocol, byCode = new Map());
    let series = byCode.get(code);
    if (series === undefined) {
      series = this.requestFamily.series({ protocol, code });
      byCode.set(code, series);
    }
    series.value++;
  }

  /** How the run queue's gauges are read. */
  runQueue(queue: { readonly length: number; readonly expectedWaitMs: number }): void {
    this.queueFamily.reads({}, () => queue.length);
    this.queueWaitFamily.reads({}, () => queue.expectedWaitMs / 1000);
  }

  /** How the in-flight gauge of a protocol is read. */
  inFlight(protocol: Protocol, read: () => number): void {
    this.inFlightFamily.reads({ protocol }, read);
  }
}
