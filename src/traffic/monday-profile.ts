import type { RatePoint } from './piecewise-linear-profile.js';

/**
 * The seed's Monday morning, 08:00 to 12:00 (t = 0 is 08:00): 500 requests/minute until 08:55, the sales reps
 * logging in pushes it up linearly to 5,000/minute at 09:00, it stays there until 09:30, then eases off linearly
 * to 500/minute at 11:30, and stays at 500 until noon. 4 hours; 536,250 requests at scale 1.
 * Documented in docs/loadtest.md; the autoscaling simulator replays the same shape.
 */
export const mondayMorningPoints: readonly RatePoint[] = [
  { seconds: 0, requestsPerMinute: 500 }, //            08:00
  { seconds: 55 * 60, requestsPerMinute: 500 }, //      08:55 the first reps open the CRM
  { seconds: 60 * 60, requestsPerMinute: 5000 }, //     09:00 everyone is in
  { seconds: 90 * 60, requestsPerMinute: 5000 }, //     09:30 the peak ends
  { seconds: 210 * 60, requestsPerMinute: 500 }, //     11:30 back to normal
  { seconds: 240 * 60, requestsPerMinute: 500 }, //     12:00
];
