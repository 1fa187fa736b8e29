/** Offered load over time. The load generator and the autoscaling simulator both read it. */
export interface TrafficProfile {
  readonly name: string;
  readonly durationSeconds: number;
  /** Offered requests per SECOND at `t` seconds from the start (0 <= t <= durationSeconds). */
  rateAt(t: number): number;
}

export interface TrafficProfileOptions {
  /**
   * Time compression of the day-shaped profiles (`monday-9am`, files): the shape's t-th second is played at
   * t / speedup, with the same rates. Constant and ramp profiles are already written in real seconds. Default 1.
   */
  speedup?: number;
  /** Run length in real seconds: truncates a shaped profile, or holds the last rate past its end. */
  durationSeconds?: number;
}
