import type { TrafficProfile } from './traffic-profile.js';

/** One corner of a day-shaped profile: at `seconds` from the start, `requestsPerMinute` are offered. */
export interface RatePoint {
  readonly seconds: number;
  readonly requestsPerMinute: number;
}

/**
 * Straight lines between points, so a step is two points at the same second. Points are in the shape's own
 * time (already validated ascending, starting at 0); `speedup` plays that time faster at the same rates and
 * `scale` multiplies the rates. Rates are per minute in the points (how people quote traffic) and per second out.
 */
export function piecewiseLinearProfile(
  name: string,
  points: readonly RatePoint[],
  { speedup, scale }: { speedup: number; scale: number },
): TrafficProfile {
  const times = points.map((p) => p.seconds);
  const rates = points.map((p) => (p.requestsPerMinute * scale) / 60);
  const last = times.length - 1;
  let segment = 0; // callers walk forward in time; remembering the segment makes that O(1)
  return {
    name,
    durationSeconds: times[last]! / speedup,
    rateAt(t: number): number {
      const s = t * speedup;
      if (s <= times[0]!) return rates[0]!;
      if (s >= times[last]!) return rates[last]!;
      if (s < times[segment]!) segment = 0;
      while (times[segment + 1]! <= s) segment++;
      const t0 = times[segment]!;
      const t1 = times[segment + 1]!;
      const r0 = rates[segment]!;
      return r0 + ((rates[segment + 1]! - r0) * (s - t0)) / (t1 - t0);
    },
  };
}
