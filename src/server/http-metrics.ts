import type { Registry } from 'prom-client';
import { CounterFamily, GaugeFamily, HistogramFamily, type HistogramSeries } from '../serving/metrics/metric-families.js';

const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The HTTP transport's metrics, in the serving core's registry: request durations by route pattern, method
 * and status, the request count derived from them when scraped (what KEDA's request-rate query reads), and
 * requests in flight. Series are looked up by the label values themselves, in nested maps; no label hashing.
 */
export class HttpMetrics {
  private readonly durations = new HistogramFamily('http_request_duration_seconds', 'Time from receiving a request to sending its response.', DURATION_BUCKETS);
  /** Series by route, method and status: nested maps, as a key string per request would be concatenated, flattened and hashed each time. */
  private readonly byRoute = new Map<string, Map<string, Map<number, HistogramSeries>>>();

  constructor(registry: Registry, inFlight: () => number) {
    const durations = this.durations;
    // The counts are the duration histogram's, read when scraped: answering a request updates one series, not two.
    const requests: CounterFamily = new CounterFamily('http_requests_total', 'HTTP requests answered, by route pattern, method and status.', () => {
      requests.clear();
      for (const { labels, series } of durations.entries()) requests.series(labels).value = series.count;
    });
    const gauge = new GaugeFamily('http_requests_in_flight', 'HTTP requests received and not yet answered.');
    gauge.reads({}, inFlight);
    for (const family of [durations, requests, gauge]) registry.registerMetric(family as never);
  }

  /** Records one answered request. `route` is the route pattern, never the raw URL (bounded label values). */
  answered(route: string, method: string, status: number, seconds: number): void {
    let byMethod = this.byRoute.get(route);
    if (byMethod === undefined) this.byRoute.set(route, byMethod = new Map());
    let byStatus = byMethod.get(method);
    if (byStatus === undefined) byMethod.set(method, byStatus = new Map());
    let series = byStatus.get(status);
    if (series === undefined) {
      series = this.durations.series({ route, method, status: String(status) });
      byStatus.set(status, series);
    }
    series.observe(seconds);
  }
}
