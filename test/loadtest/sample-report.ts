import type { LoadTestReport } from '../../src/loadtest/load-report.js';

/** A small, hand-made report for tests of what consumes reports (SLO, text, HTML). */
export function sampleReport(options: { p99Ms?: number; failed?: number; offered?: number; responses?: number } = {}): LoadTestReport {
  const { p99Ms = 12, failed = 3, offered = 300 } = options;
  const responses = options.responses ?? offered - failed + 2;
  const ok = offered - failed;
  return {
    format: 'churn-predictor.loadtest-report',
    formatVersion: 1,
    startedAt: '2026-01-05T09:00:00.000Z',
    target: { url: 'http://127.0.0.1:8000', model: { name: 'churn', version: '1.0.0' } },
    profile: { name: 'constant:100', durationSeconds: 3, warmupSeconds: 0 },
    payload: 'single',
    connections: 8,
    elapsedSeconds: 3.01,
    requests: { offered, sent: offered, ok, failed },
    rates: { offeredRps: offered / 3, achievedRps: ok / 3.01 },
    latency: { count: responses, minMs: 0.5, meanMs: 3, p50Ms: 2, p90Ms: 6, p99Ms, p999Ms: p99Ms * 2, maxMs: p99Ms * 3 },
    statuses: { 200: ok, 503: 2 },
    errors: { total: failed, rate: failed / offered, byKind: { http_status: 2, timeout: failed - 2, connection_refused: 0, connection_closed: 0, dropped: 0, other: 0 } },
    generator: { keptUp: true, sendLagP50Ms: 0.4, sendLagP99Ms: 1.1, sendLagMaxMs: 2, lateSends: 0, lateThresholdMs: 10, waitedForConnection: 0, maxInFlight: 3, cpuSeconds: 0.2 },
    warnings: [],
    timeline: {
      intervalSeconds: 1,
      points: [0, 1, 2].map((t) => ({
        t, offeredRps: 100, achievedRps: t === 1 ? 97 : 100, errorsPerSecond: t === 1 ? 3 : 0, errorsByKind: t === 1 ? { http_status: 2, timeout: 1 } : {},
        p50Ms: 2, p90Ms: 6, p99Ms: t === 2 ? null : p99Ms, maxMs: t === 2 ? null : p99Ms * 3,
      })),
    },
  };
}
