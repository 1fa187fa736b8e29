/**
 * The two averages of pkg/controller/podautoscaler/metrics/utilization.go. Go divides int64s with truncation; the
 * values here are whole milli-units, so Math.trunc reproduces it exactly while sums stay below 2^53.
 */

export interface ResourceUtilization {
  /** Usage ratio: utilization / target. */
  readonly ratio: number;
  /** Whole percent of the summed requests (int32 in the controller). */
  readonly utilization: number;
  /** Average usage per pod in milli-units. */
  readonly rawAverage: number;
}

/** Utilization over the pods that have both a value and a request; null when none has a request. */
export function resourceUtilization(values: ReadonlyMap<string, number>, requests: ReadonlyMap<string, number>, targetUtilization: number): ResourceUtilization | null {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let entries = 0;
  for (const [name, value] of values) {
    const request = requests.get(name);
    if (request === undefined) continue;
    metricsTotal += value;
    requestsTotal += request;
    entries++;
  }
  if (requestsTotal === 0) return null;
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { ratio: utilization / targetUtilization, utilization, rawAverage: Math.trunc(metricsTotal / entries) };
}

export interface PlainUsage {
  readonly ratio: number;
  /** Truncated average per pod in milli-units. */
  readonly usage: number;
}

/** Average of plain per-pod values against a per-pod target (Pods metrics and raw resource values). */
export function plainUsage(values: ReadonlyMap<string, number>, targetUsage: number): PlainUsage {
  let total = 0;
  for (const value of values.values()) total += value;
  const usage = Math.trunc(total / values.size);
  return { ratio: usage / targetUsage, usage };
}
