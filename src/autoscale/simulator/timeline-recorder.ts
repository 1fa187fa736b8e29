import { addLatencyGroup, LatencyHistogram, weightedQuantile, type WeightedPoint } from './latency-sketch.js';
import type { StepOutcome } from './pod-traffic.js';
import type { ScaleEventRecord, SimulationSummary, TimelineRow } from './simulation-result.js';
import type { Slo } from './simulation-options.js';

/** Per-second state sampled at the end of the second. */
export interface RowState {
  desiredReplicas: number;
  pods: number;
  readyReplicas: number;
  hpaCpuUtilization: number | null;
  hpaRequestRatePerPod: number | null;
}

interface OpenRow {
  t: number;
  offered: number;
  served: number;
  shed: number;
  failed: number;
  cpuBusy: number;
  cpuCapacity: number;
  points: WeightedPoint[];
}

const openRow = (t: number): OpenRow => ({ t, offered: 0, served: 0, shed: 0, failed: 0, cpuBusy: 0, cpuCapacity: 0, points: [] });

/** Collects simulation steps into one-second rows and the run's totals. */
export class TimelineRecorder {
  readonly rows: TimelineRow[] = [];
  private readonly histogram = new LatencyHistogram();
  private row: OpenRow = openRow(0);
  private totals = { offered: 0, served: 0, shed: 0, failed: 0, podSeconds: 0 };

  constructor(private readonly slo: Slo) {}

  /** One step of `dt` starting at t >= 0. */
  step(t: number, dt: number, offered: number, outcomes: readonly StepOutcome[], extraFailed: number, cpu: { busy: number; capacity: number }, scheduledPods: number, state: RowState): void {
    const second = Math.floor(t + 1e-9);
    if (second !== this.row.t) {
      this.close();
      this.row = openRow(second);
    }
    const row = this.row;
    row.offered += offered;
    row.failed += extraFailed;
    row.cpuBusy += cpu.busy;
    row.cpuCapacity += cpu.capacity;
    this.totals.podSeconds += scheduledPods * dt;
    // Pods in the same state see the same latency: merge them before spreading into points.
    const groups = new Map<string, { count: number; outcome: StepOutcome }>();
    for (const outcome of outcomes) {
      row.served += outcome.served;
      row.shed += outcome.shed;
      row.failed += outcome.failed;
      if (outcome.accepted <= 0) continue;
      const key = `${outcome.baseP50Ms.toFixed(3)}|${outcome.baseP99Ms.toFixed(3)}|${outcome.waitFromMs.toFixed(2)}|${outcome.waitToMs.toFixed(2)}`;
      const group = groups.get(key);
      if (group === undefined) groups.set(key, { count: outcome.accepted, outcome });
      else group.count += outcome.accepted;
    }
    for (const { count, outcome } of groups.values()) {
      const { waitFromMs: from, waitToMs: to } = outcome;
      if (Math.abs(to - from) < 0.01) addLatencyGroup(row.points, count, outcome.baseP50Ms, outcome.baseP99Ms, from);
      else {
        // Arrivals meet a wait growing (or shrinking) linearly over the step: two midpoints stand for it.
        addLatencyGroup(row.points, count / 2, outcome.baseP50Ms, outcome.baseP99Ms, from + 0.25 * (to - from));
        addLatencyGroup(row.points, count / 2, outcome.baseP50Ms, outcome.baseP99Ms, from + 0.75 * (to - from));
      }
    }
    this.lastState = state;
  }

  /** The state at the end of the latest step: a row shows the state at the end of its second. */
  private lastState: RowState | null = null;

  private close(): void {
    const row = this.row;
    const s = this.lastState;
    if (s === null) return;
    this.histogram.add(row.points);
    const p50 = weightedQuantile(row.points, 0.5);
    const p99 = weightedQuantile(row.points, 0.99);
    const errors = row.shed + row.failed;
    const withinSlo = (p99 === null || p99 <= this.slo.p99Ms) && (row.offered <= 0 || errors / row.offered <= this.slo.maxErrorRate);
    this.rows.push({
      t: row.t,
      offeredRps: row.offered,
      servedRps: row.served,
      shedRps: row.shed,
      failedRps: row.failed,
      desiredReplicas: s.desiredReplicas,
      pods: s.pods,
      readyReplicas: s.readyReplicas,
      cpuUtilization: row.cpuCapacity > 0 ? (100 * row.cpuBusy) / row.cpuCapacity : null,
      hpaCpuUtilization: s.hpaCpuUtilization,
      hpaRequestRatePerPod: s.hpaRequestRatePerPod,
      p50Ms: p50,
      p99Ms: p99,
      withinSlo,
    });
    this.totals.offered += row.offered;
    this.totals.served += row.served;
    this.totals.shed += row.shed;
    this.totals.failed += row.failed;
  }

  /** Closes the last row and computes the summary. */
  finish(events: ScaleEventRecord[], durationSeconds: number, pricePerPodHour: number | null): SimulationSummary {
    this.close();
    this.lastState = null;
    for (const event of events) {
      if (event.to <= event.from) continue;
      event.servingAt = this.rows.find((r) => r.t >= event.t && r.readyReplicas >= event.to)?.t ?? null;
    }
    const errors = this.totals.shed + this.totals.failed;
    const p50Ms = this.histogram.quantile(0.5);
    const p99Ms = this.histogram.quantile(0.99);
    const errorRate = this.totals.offered > 0 ? errors / this.totals.offered : 0;
    const podHours = this.totals.podSeconds / 3600;
    let peakP99Ms: number | null = null;
    for (const r of this.rows) if (r.p99Ms !== null && (peakP99Ms === null || r.p99Ms > peakP99Ms)) peakP99Ms = r.p99Ms;
    return {
      durationSeconds,
      requestsOffered: this.totals.offered,
      requestsServed: this.totals.served,
      requestsShed: this.totals.shed,
      requestsFailed: this.totals.failed,
      errorRate,
      p50Ms,
      p99Ms,
      peakP99Ms,
      secondsAboveSlo: this.rows.filter((r) => !r.withinSlo).length,
      timeToSettleSeconds: timeToSettle(this.rows),
      podHours,
      cost: pricePerPodHour === null ? null : podHours * pricePerPodHour,
      peakDesiredReplicas: Math.max(0, ...this.rows.map((r) => r.desiredReplicas)),
      finalDesiredReplicas: this.rows[this.rows.length - 1]?.desiredReplicas ?? 0,
      sloMet: (p99Ms === null || p99Ms <= this.slo.p99Ms) && errorRate <= this.slo.maxErrorRate,
    };
  }
}

/** Seconds from the first row that broke the SLO to the start of the first full minute that met it afterwards. */
export function timeToSettle(rows: readonly TimelineRow[], settledSeconds = 60): number | null {
  const first = rows.findIndex((r) => !r.withinSlo);
  if (first < 0) return 0;
  let run = 0;
  for (let i = first + 1; i < rows.length; i++) {
    run = rows[i]!.withinSlo ? run + 1 : 0;
    if (run === settledSeconds) return rows[i - settledSeconds + 1]!.t - rows[first]!.t;
  }
  return null;
}
