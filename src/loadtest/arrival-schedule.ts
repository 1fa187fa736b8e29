import type { TrafficProfile } from '../traffic/traffic-profile.js';

/** Integration step in profile seconds; within a step the rate is taken as linear, which is exact for our profiles. */
const stepSeconds = 0.005;

/**
 * The open-loop arrival times of a profile, lazily, in seconds from the start. Arrival k (k = 0, 1, ...) is at
 * the moment the integral of the rate reaches k + 1/2, so a second at r requests/s holds r evenly spaced
 * arrivals and the run holds round(integral) of them. Deterministic: two runs offer exactly the same load.
 */
export class ArrivalSchedule {
  private readonly profile: TrafficProfile;
  // The current integration step [t0, t1]: rates at its ends and the integral of the rate up to each end.
  private t0 = 0;
  private r0 = 0;
  private c0 = 0;
  private t1 = 0;
  private r1: number;
  private c1 = 0;
  private k = 0;

  constructor(profile: TrafficProfile) {
    this.profile = profile;
    this.r1 = this.rate(0); // an empty step at 0; next() advances from it
  }

  /** Arrivals handed out so far. */
  get count(): number {
    return this.k;
  }

  /** The next arrival time in seconds, or undefined when the profile is over. */
  next(): number | undefined {
    const target = this.k + 0.5;
    const end = this.profile.durationSeconds;
    while (this.c1 < target) {
      if (this.t1 >= end) return undefined;
      this.t0 = this.t1;
      this.r0 = this.r1;
      this.c0 = this.c1;
      this.t1 = Math.min(end, this.t0 + stepSeconds);
      this.r1 = this.rate(this.t1);
      this.c1 = this.c0 + ((this.r0 + this.r1) / 2) * (this.t1 - this.t0);
    }
    // Solve c0 + r0 x + a x^2 = target for x in [0, h], a = (r1 - r0) / 2h; this form is stable for a of either sign.
    const h = this.t1 - this.t0;
    const a = (this.r1 - this.r0) / (2 * h);
    const d = target - this.c0;
    const root = Math.sqrt(Math.max(0, this.r0 * this.r0 + 4 * a * d));
    const x = this.r0 + root > 0 ? (2 * d) / (this.r0 + root) : h;
    this.k++;
    return this.t0 + Math.min(h, Math.max(0, x));
  }

  private rate(t: number): number {
    const r = this.profile.rateAt(t);
    if (!Number.isFinite(r) || r < 0) throw new RangeError(`profile ${this.profile.name}: rate at ${t} s is ${r}, expected a finite number >= 0`);
    return r;
  }
}

/** The number of arrivals a profile offers (walks the schedule; for tests and reports). */
export function countArrivals(profile: TrafficProfile): number {
  const schedule = new ArrivalSchedule(profile);
  while (schedule.next() !== undefined);
  return schedule.count;
}
