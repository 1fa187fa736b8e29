import type { LatencySummary } from './latency-histogram.js';
import type { RunOutcome } from './open-loop-runner.js';
import { errorKinds, type ErrorKind } from './request-outcome.js';
import type { TimelinePoint } from './run-timeline.js';

export interface TargetDescription {
  url: string;
  /** From the server's GET /model; null when it does not answer one. */
  model: { name: string; version: string } | null;
}

/** A finished load test: what `--out` writes and what `runLoadTest` resolves to. */
export interface LoadTestReport {
  format: 'churn-predictor.loadtest-report';
  formatVersion: 1;
  startedAt: string;
  target: TargetDescription;
  /** `warmupSeconds`: load offered before the measured run at the profile's starting rate, counted nowhere. */
  profile: { name: string; durationSeconds: number; warmupSeconds: number };
  payload: string;
  connections: number;
  /** Wall time from the start until the last response (or the end of the profile if later). */
  elapsedSeconds: number;
  requests: {
    /** Arrivals the profile scheduled (sent + dropped). */
    offered: number;
    sent: number;
    ok: number;
    failed: number;
  };
  rates: {
    /** Arrivals per second of the profile's duration. */
    offeredRps: number;
    /** 2xx responses per second of elapsed time. */
    achievedRps: number;
  };
  /** Latency of every response (any status) measured from its scheduled send time. */
  latency: LatencySummary;
  /** Responses by HTTP status code. */
  statuses: Record<string, number>;
  errors: {
    total: number;
    /** failed / offered */
    rate: number;
    byKind: Record<ErrorKind, number>;
  };
  /** How well the generator itself kept to the schedule. */
  generator: {
    keptUp: boolean;
    sendLagP50Ms: number;
    sendLagP99Ms: number;
    sendLagMaxMs: number;
    /** Requests sent more than `lateThresholdMs` after their scheduled time. */
    lateSends: number;
    lateThresholdMs: number;
    /** Requests that found every connection busy and queued for one. */
    waitedForConnection: number;
    maxInFlight: number;
    cpuSeconds: number;
  };
  /** Plain-language warnings: generator behind, connections saturated, arrivals dropped, run aborted. */
  warnings: string[];
  timeline: { intervalSeconds: number; points: TimelinePoint[] };
}

/** More late sends than this share means the generator, not the server, shaped the result. */
export const maxLateShare = 0.01;

export interface ReportContext {
  startedAt: Date;
  target: TargetDescription;
  profile: { name: string; durationSeconds: number; warmupSeconds: number };
  payload: string;
  connections: number;
  maxInFlight: number;
  lateThresholdMs: number;
  timelineIntervalSeconds: number;
}

const percent = (share: number) => `${(share * 100).toFixed(share < 0.01 ? 2 : 1)}%`;

function warningsOf(outcome: RunOutcome, context: ReportContext, keptUp: boolean): string[] {
  const warnings: string[] = [];
  if (!keptUp) {
    warnings.push(`the load generator could not keep up: ${percent(outcome.lateSends / Math.max(1, outcome.sent))} of requests were sent more than ${context.lateThresholdMs} ms late `
      + `(p99 send lag ${outcome.sendLag.percentileMs(99).toFixed(1)} ms). Latencies include that lag; offer less, or give the generator a core of its own.`);
  }
  const dropped = outcome.errorsByKind.get('dropped') ?? 0;
  if (dropped > 0) {
    warnings.push(`${dropped} arrivals were dropped (counted as errors) because ${context.maxInFlight} requests were already outstanding: the target fell far behind the offered rate.`);
  }
  if (outcome.waitedForConnection > 0.01 * outcome.sent) {
    warnings.push(`${percent(outcome.waitedForConnection / Math.max(1, outcome.sent))} of requests waited for one of the ${context.connections} connections; `
      + 'that wait is in their latency. Raise --connections if real clients would open more.');
  }
  if (outcome.aborted) warnings.push('the run was stopped before the end of the profile.');
  return warnings;
}

export function buildLoadReport(outcome: RunOutcome, context: ReportContext): LoadTestReport {
  const keptUp = outcome.lateSends <= maxLateShare * outcome.sent;
  const byKind = Object.fromEntries(errorKinds.map((k) => [k, outcome.errorsByKind.get(k) ?? 0])) as Record<ErrorKind, number>;
  const statuses = Object.fromEntries([...outcome.statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => [String(s), n]));
  return {
    format: 'churn-predictor.loadtest-report',
    formatVersion: 1,
    startedAt: context.startedAt.toISOString(),
    target: context.target,
    profile: context.profile,
    payload: context.payload,
    connections: context.connections,
    elapsedSeconds: outcome.elapsedSeconds,
    requests: { offered: outcome.offered, sent: outcome.sent, ok: outcome.ok, failed: outcome.failed },
    rates: {
      offeredRps: outcome.offered / Math.max(1e-9, outcome.aborted ? outcome.elapsedSeconds : context.profile.durationSeconds),
      achievedRps: outcome.elapsedSeconds > 0 ? outcome.ok / outcome.elapsedSeconds : 0,
    },
    latency: outcome.latency.summary(),
    statuses,
    errors: { total: outcome.failed, rate: outcome.offered === 0 ? 0 : outcome.failed / outcome.offered, byKind },
    generator: {
      keptUp,
      sendLagP50Ms: outcome.sendLag.percentileMs(50),
      sendLagP99Ms: outcome.sendLag.percentileMs(99),
      sendLagMaxMs: outcome.sendLag.summary().maxMs,
      lateSends: outcome.lateSends,
      lateThresholdMs: context.lateThresholdMs,
      waitedForConnection: outcome.waitedForConnection,
      maxInFlight: outcome.maxInFlightSeen,
      cpuSeconds: outcome.generatorCpuSeconds,
    },
    warnings: warningsOf(outcome, context, keptUp),
    timeline: { intervalSeconds: context.timelineIntervalSeconds, points: outcome.timeline },
  };
}
