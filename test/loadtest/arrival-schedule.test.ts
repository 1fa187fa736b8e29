import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArrivalSchedule, countArrivals } from '../../src/loadtest/arrival-schedule.js';
import { parseTrafficProfile } from '../../src/traffic/traffic-profile-spec.js';

function arrivals(spec: string, options = {}): number[] {
  const schedule = new ArrivalSchedule(parseTrafficProfile(spec, options));
  const times: number[] = [];
  for (let t = schedule.next(); t !== undefined; t = schedule.next()) times.push(t);
  return times;
}

describe('ArrivalSchedule', () => {
  it('a constant rate gives evenly spaced arrivals, centred in their slots', () => {
    const times = arrivals('constant:100', { durationSeconds: 2 });
    assert.equal(times.length, 200);
    times.forEach((t, k) => assert.ok(Math.abs(t - (k + 0.5) / 100) < 1e-9, `arrival ${k} at ${t}`));
  });

  it('a ramp from 0 to 100/s over 10 s gives 500 arrivals where the integral 5t^2 reaches k + 1/2', () => {
    const times = arrivals('ramp:0:100:10');
    assert.equal(times.length, 500);
    times.forEach((t, k) => assert.ok(Math.abs(t - Math.sqrt((k + 0.5) / 5)) < 1e-6, `arrival ${k} at ${t}, expected ${Math.sqrt((k + 0.5) / 5)}`));
    // Arrivals per second grow linearly: the last second holds 19x the first.
    const inSecond = (s: number) => times.filter((t) => t >= s && t < s + 1).length;
    assert.equal(inSecond(0), 5);
    assert.equal(inSecond(9), 95);
  });

  it('a falling ramp and a ramp held past its end count right too', () => {
    assert.equal(countArrivals(parseTrafficProfile('ramp:300:100:4')), 800);
    assert.equal(countArrivals(parseTrafficProfile('ramp:0:100:10', { durationSeconds: 12 })), 700);
  });

  it('a zero rate offers nothing and arrival times never go backwards', () => {
    assert.equal(countArrivals(parseTrafficProfile('constant:0')), 0);
    const times = arrivals('ramp:1000:0:3');
    assert.equal(times.length, 1500);
    for (let i = 1; i < times.length; i++) assert.ok(times[i]! >= times[i - 1]!);
    assert.ok(times[times.length - 1]! <= 3);
  });

  it('rejects a profile whose rate is negative or not a number', () => {
    const schedule = new ArrivalSchedule({ name: 'bad', durationSeconds: 1, rateAt: (t) => (t > 0.5 ? Number.NaN : 10) });
    assert.throws(() => { while (schedule.next() !== undefined); }, RangeError);
  });
});
