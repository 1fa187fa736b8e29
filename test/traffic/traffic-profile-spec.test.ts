import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isChurnError } from '../../src/errors.js';
import { countArrivals } from '../../src/loadtest/arrival-schedule.js';
import { mondayMorningPoints } from '../../src/traffic/monday-profile.js';
import { parseTrafficProfile } from '../../src/traffic/traffic-profile-spec.js';

const work = mkdtempSync(join(tmpdir(), 'churn-profiles-'));
after(() => rmSync(work, { recursive: true, force: true }));

const near = (actual: number, expected: number, what = '') => assert.ok(Math.abs(actual - expected) < 1e-6, `${what} ${actual} != ${expected}`);

const rejects = (spec: string, options = {}) =>
  assert.throws(() => parseTrafficProfile(spec, options), (e: unknown) => isChurnError(e) && e.code === 'INVALID_PROFILE', spec);

describe('parseTrafficProfile', () => {
  it('constant:<rps> holds its rate for the given duration (10 s by default)', () => {
    const p = parseTrafficProfile('constant:250');
    assert.equal(p.durationSeconds, 10);
    assert.equal(p.rateAt(0), 250);
    assert.equal(p.rateAt(9.99), 250);
    assert.equal(parseTrafficProfile('constant:250', { durationSeconds: 3 }).durationSeconds, 3);
  });

  it('ramp:<from>:<to>:<seconds> is linear and holds the final rate past its end', () => {
    const p = parseTrafficProfile('ramp:100:300:20');
    assert.equal(p.durationSeconds, 20);
    assert.equal(p.rateAt(0), 100);
    assert.equal(p.rateAt(10), 200);
    assert.equal(p.rateAt(20), 300);
    const longer = parseTrafficProfile('ramp:100:300:20', { durationSeconds: 30 });
    assert.equal(longer.durationSeconds, 30);
    assert.equal(longer.rateAt(25), 300);
  });

  it('monday-9am follows the seed: 500/min, a login wave to 5,000/min at 9:00, back to 500/min by 11:30', () => {
    const p = parseTrafficProfile('monday-9am');
    const perMinute = (clock: string) => {
      const [h, m] = clock.split(':').map(Number) as [number, number];
      return p.rateAt((h - 8) * 3600 + m * 60) * 60;
    };
    assert.equal(p.durationSeconds, 4 * 3600);
    near(perMinute('8:00'), 500, '8:00');
    near(perMinute('8:55'), 500, '8:55');
    near(perMinute('8:57'), 500 + (4500 * 2) / 5, 'rising linearly during the login wave');
    near(perMinute('9:00'), 5000, '9:00');
    near(perMinute('9:15'), 5000, '9:15');
    near(perMinute('9:30'), 5000, '9:30');
    near(perMinute('10:30'), 2750, 'halfway down at 10:30');
    near(perMinute('11:30'), 500, '11:30');
    near(perMinute('12:00'), 500, '12:00');
    // The shape is unimodal: never above the peak, never below the baseline.
    for (let t = 0; t <= p.durationSeconds; t += 60) {
      const rpm = p.rateAt(t) * 60;
      assert.ok(rpm >= 500 - 1e-9 && rpm <= 5000 + 1e-9, `${t}: ${rpm}`);
    }
  });

  it('monday-9am: speedup compresses time at the same rates, scale multiplies the rates', () => {
    const fast = parseTrafficProfile('monday-9am:2', { speedup: 60 });
    assert.equal(fast.durationSeconds, 240);
    near(fast.rateAt(0) * 60, 1000);
    near(fast.rateAt(70) * 60, 10_000); // 70 s x 60 = 70 min after 8:00 = 9:10
    // 536,250 requests at real time and scale 1; speedup 60 plays 1/60 of them, scale 2 doubles that.
    assert.equal(countArrivals(fast), Math.round((536_250 / 60) * 2));
    assert.deepEqual(mondayMorningPoints[0], { seconds: 0, requestsPerMinute: 500 });
  });

  it('reads a CSV file of (seconds, requests per minute), header optional, steps allowed', () => {
    const csv = join(work, 'day.csv');
    writeFileSync(csv, 'seconds,requests_per_minute\n0,600\n60,600\n60,1200\n120,0\n');
    const p = parseTrafficProfile(csv);
    assert.equal(p.durationSeconds, 120);
    near(p.rateAt(30), 10);
    assert.ok(p.rateAt(60.000001) * 60 > 1199, 'the step is vertical');
    near(p.rateAt(90), 10);
    const noHeader = join(work, 'plain.csv');
    writeFileSync(noHeader, '0,60\n10,60\n');
    assert.equal(parseTrafficProfile(noHeader, { speedup: 2 }).durationSeconds, 5);
  });

  it('reads a JSON file of points', () => {
    const file = join(work, 'day.json');
    writeFileSync(file, JSON.stringify({ points: [{ seconds: 0, requestsPerMinute: 0 }, { seconds: 100, requestsPerMinute: 6000 }] }));
    const p = parseTrafficProfile(file);
    near(p.rateAt(50), 50);
    writeFileSync(file, JSON.stringify([[0, 60], [10, 60]]));
    near(parseTrafficProfile(file).rateAt(5), 1);
  });

  it('rejects bad specs and files with INVALID_PROFILE', () => {
    for (const spec of ['constant', 'constant:-1', 'constant:abc', 'ramp:1:2', 'ramp:1:2:0', 'monday-9am:0', 'monday-9am:1:2', 'poisson:3', join(work, 'missing.csv')]) rejects(spec);
    rejects('constant:5', { speedup: 0 });
    rejects('constant:5', { durationSeconds: -1 });
    const bad = (name: string, text: string) => {
      const file = join(work, name);
      writeFileSync(file, text);
      rejects(file);
    };
    bad('backwards.csv', '0,10\n20,10\n10,10\n');
    bad('late-start.csv', '5,10\n20,10\n');
    bad('negative.csv', '0,10\n20,-1\n');
    bad('one-point.csv', '0,10\n');
    bad('three-columns.csv', '0,10,1\n20,10,1\n');
    bad('broken.json', '{"points": [');
    bad('shape.json', '{"rates": []}');
    bad('profile.txt', '0,10\n20,10\n');
  });
});
