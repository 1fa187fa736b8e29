import type { Registry } from 'prom-client';
import { CounterFamily, HistogramFamily, type HistogramSeries } from '../../serving/metrics/metric-families.js';

const DURATION_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The gRPC transport's metrics, named as the gRPC ecosystem's Prometheus interceptors name them (so existing
 * dashboards work): handling time by service, method and status code, and the count derived from it when scraped.
 * Protocol-level counts (churn_requests_total{protocol="grpc"}) come from the serving core, as for every protocol.
 */
export class GrpcMetrics {
  private readonly durations = new HistogramFamily('grpc_server_handling_seconds', 'Time from receiving a gRPC call to answering it, by service, method and status code.', DURATION_BUCKETS);
  private readonly byKey = new Map<string, HistogramSeries>();

  constructor(registry: Registry) {
    const durations = this.durations;
    const handled: CounterFamily = new CounterFamily('grpc_server_handled_total', 'gRPC calls answered, by service, method and status code.', () => {
      handled.clear();
      for (const { labels, series } of durations.entries()) handled.series({ grpc_type: 'unary', ...labels }).value = series.count;
    });
    for (const family of [durations, handled]) registry.registerMetric(family as never);
  }

  answered(service: string, method: string, code: string, seconds: number): void {
    const key = `${service}/${method} ${code}`;
    let series = this.byKey.get(key);
    if (series === undefined) {
      series = this.durations.series({ grpc_service: service, grpc_method: method, grpc_code: code });
      this.byKey.set(key, series);
    }
    series.observe(seconds);
  }
}
