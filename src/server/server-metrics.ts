import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { InferenceObserver } from './model-service.js';

/**
 * The Prometheus metrics of one server instance, in their own registry (so several apps can live in
 * one test process). Names follow Prometheus conventions; the in-flight gauge and the request counter
 * are what request-based autoscaling reads.
 */
export class ServerMetrics implements InferenceObserver {
  readonly registry = new Registry();
  readonly requests: Counter<'route' | 'method' | 'status'>;
  readonly requestDuration: Histogram<'route' | 'method' | 'status'>;
  readonly inFlight: Gauge;
  readonly predictions: Counter<'outcome'>;
  readonly invalidRecords: Counter;
  readonly batchSize: Histogram;
  readonly inferenceDuration: Histogram<'endpoint'>;
  readonly modelInfo: Gauge<'name' | 'version'>;
  // Plain numbers on the hot path; prom-client reads them when scraped (label hashing costs microseconds).
  private readonly outcomes = { churn: 0, noChurn: 0 };

  /** `inFlight` is read at scrape time from the one in-flight counter (ServingState). */
  constructor(model: { name: string; version: string }, inFlight: () => number) {
    const registers = [this.registry];
    // process_* (process_cpu_seconds_total is read by the load generator's calibration) and nodejs_*,
    // including nodejs_eventloop_lag_seconds and its percentiles.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
    this.requestDuration = new Histogram({
      name: 'http_request_duration_seconds', help: 'Time from receiving a request to sending its response.',
      labelNames: ['route', 'method', 'status'], registers,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    });
    const requestDuration = this.requestDuration;
    // Derived at scrape time from the duration histogram's counts (the same numbers), so answering a
    // request costs one labelled update instead of two.
    this.requests = new Counter({
      name: 'http_requests_total', help: 'HTTP requests answered, by route pattern, method and status.',
      labelNames: ['route', 'method', 'status'], registers,
      async collect() {
        this.reset();
        for (const value of (await requestDuration.get()).values) {
          if (value.metricName === 'http_request_duration_seconds_count') this.inc(value.labels as Record<'route' | 'method' | 'status', string>, value.value);
        }
      },
    });
    this.inFlight = new Gauge({
      name: 'http_requests_in_flight', help: 'HTTP requests received and not yet answered.', registers,
      collect() { this.set(inFlight()); },
    });
    const outcomes = this.outcomes;
    this.predictions = new Counter({
      name: 'churn_predictions_total', help: 'Records scored, by outcome at the decision threshold.', labelNames: ['outcome'], registers,
      collect() {
        this.reset();
        this.inc({ outcome: 'churn' }, outcomes.churn);
        this.inc({ outcome: 'no_churn' }, outcomes.noChurn);
      },
    });
    this.invalidRecords = new Counter({ name: 'churn_invalid_records_total', help: 'Records rejected by validation.', registers });
    this.batchSize = new Histogram({
      name: 'churn_batch_size', help: 'Records per /predict/batch request.', registers,
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 50000, 100000],
    });
    this.inferenceDuration = new Histogram({
      name: 'churn_model_inference_duration_seconds', help: 'Time spent validating, encoding and scoring, per call.',
      labelNames: ['endpoint'], registers,
      buckets: [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    });
    this.modelInfo = new Gauge({ name: 'churn_model_info', help: 'The model being served (always 1).', labelNames: ['name', 'version'], registers });
    this.modelInfo.set({ name: model.name, version: model.version }, 1);
  }

  scored(kind: 'single' | 'batch', records: number, churned: number, failed: number, seconds: number): void {
    this.outcomes.churn += churned;
    this.outcomes.noChurn += records - failed - churned;
    if (failed > 0) this.invalidRecords.inc(failed);
    if (kind === 'batch') this.batchSize.observe(records);
    this.inferenceDuration.observe({ endpoint: kind }, seconds);
  }

  /** Records one answered request. `route` is the route pattern, never the raw URL (bounded label values). */
  answered(route: string, method: string, status: number, seconds: number): void {
    this.requestDuration.observe({ route, method, status: String(status) }, seconds);
  }
}
