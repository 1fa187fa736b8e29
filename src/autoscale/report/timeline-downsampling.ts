import type { TimelineRow } from '../simulator/simulation-result.js';

/**
 * At most `maxPoints` rows for charts and tables: each bucket keeps the worst latency and errors (so a spike
 * never disappears), the mean of the rates, and the replica counts at the bucket's end.
 */
export function downsampleTimeline(rows: readonly TimelineRow[], maxPoints: number): TimelineRow[] {
  if (rows.length <= maxPoints) return [...rows];
  const size = Math.ceil(rows.length / maxPoints);
  const result: TimelineRow[] = [];
  for (let i = 0; i < rows.length; i += size) {
    const bucket = rows.slice(i, i + size);
    const last = bucket[bucket.length - 1]!;
    const mean = (pick: (r: TimelineRow) => number) => bucket.reduce((s, r) => s + pick(r), 0) / bucket.length;
    const max = (pick: (r: TimelineRow) => number | null) => bucket.reduce<number | null>((m, r) => {
      const v = pick(r);
      return v === null ? m : m === null ? v : Math.max(m, v);
    }, null);
    result.push({
      ...last,
      t: bucket[0]!.t,
      offeredRps: mean((r) => r.offeredRps),
      servedRps: mean((r) => r.servedRps),
      shedRps: max((r) => r.shedRps) ?? 0,
      failedRps: max((r) => r.failedRps) ?? 0,
      cpuUtilization: max((r) => r.cpuUtilization),
      p50Ms: max((r) => r.p50Ms),
      p99Ms: max((r) => r.p99Ms),
      readyReplicas: Math.min(...bucket.map((r) => r.readyReplicas)),
      withinSlo: bucket.every((r) => r.withinSlo),
    });
  }
  return result;
}
