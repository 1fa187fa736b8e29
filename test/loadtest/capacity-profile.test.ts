import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isChurnError } from '../../src/errors.js';
import { readCapacityProfile, validateCapacityProfile, writeCapacityProfile, type CapacityProfile } from '../../src/loadtest/capacity-profile.js';
import { packageRoot } from '../../src/foundation/package-files.js';

const work = mkdtempSync(join(tmpdir(), 'churn-capacity-'));
after(() => rmSync(work, { recursive: true, force: true }));

function sampleProfile(): CapacityProfile {
  const step = { offeredRps: 400, achievedRps: 399.5, p50Ms: 1.2, p90Ms: 2.5, p99Ms: 8, errorRate: 0, cpuUtilization: 0.31, rssBytes: 90e6 };
  return {
    format: 'churn-predictor.capacity-profile',
    formatVersion: 1,
    measuredAt: '2026-01-05T09:00:00.000Z',
    target: { url: 'http://127.0.0.1:8000', model: { name: 'churn', version: '1.0.0' } },
    payload: 'single',
    slo: { p99Ms: 50, maxErrorRate: 0.001 },
    maxSustainableRps: 400,
    cpuSecondsPerRequest: 0.00078,
    memory: { rssBytesIdle: 80e6, rssBytesPeak: 95e6 },
    steps: [step, { ...step, offeredRps: 800, p99Ms: 70, withinSlo: false }],
  };
}

/** Writes `value` as a file and expects the reader to reject it, naming `path` in the message. */
function rejected(value: unknown, path: string): void {
  const file = join(work, 'bad.json');
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  assert.throws(() => readCapacityProfile(file), (e: unknown) => {
    assert.ok(isChurnError(e) && e.code === 'INVALID_CAPACITY_PROFILE', String(e));
    assert.ok(e.message.includes(file) && e.message.includes(path), `${e.message} should name ${path}`);
    return true;
  });
}

describe('capacity profile', () => {
  it('writes and reads back the same profile', () => {
    const file = join(work, 'capacity.json');
    writeCapacityProfile(file, sampleProfile());
    assert.deepEqual(readCapacityProfile(file), sampleProfile());
  });

  it('accepts a target without a model and ignores fields it does not know', () => {
    const file = join(work, 'extra.json');
    writeFileSync(file, JSON.stringify({ ...sampleProfile(), target: { url: 'http://x', model: null }, calibration: { stepSeconds: 10 } }));
    assert.equal(readCapacityProfile(file).target.model, null);
  });

  it('rejects bad files with a message naming the file and the field', () => {
    const p = sampleProfile();
    rejected('{"format":', 'not valid JSON');
    rejected([], '/');
    rejected({ ...p, format: 'something-else' }, '/format');
    rejected({ ...p, formatVersion: 2 }, '/formatVersion');
    rejected({ ...p, measuredAt: 'yesterday' }, '/measuredAt');
    rejected({ ...p, target: { model: null } }, '/target/url');
    rejected({ ...p, target: { url: 'http://x', model: { name: 'churn' } } }, '/target/model/version');
    rejected({ ...p, payload: 'batch:0' }, '/payload');
    rejected({ ...p, slo: { p99Ms: 0, maxErrorRate: 0.001 } }, '/slo/p99Ms');
    rejected({ ...p, maxSustainableRps: -1 }, '/maxSustainableRps');
    rejected({ ...p, cpuSecondsPerRequest: 'fast' }, '/cpuSecondsPerRequest');
    rejected({ ...p, memory: { rssBytesIdle: 2, rssBytesPeak: 1 } }, '/memory/rssBytesPeak');
    rejected({ ...p, steps: [] }, '/steps');
    rejected({ ...p, steps: [{ ...p.steps[0], errorRate: 2 }] }, '/steps/0/errorRate');
    rejected({ ...p, steps: [{ ...p.steps[0], p99Ms: null }] }, '/steps/0/p99Ms');
  });

  it('a missing file is INVALID_CAPACITY_PROFILE too', () => {
    assert.throws(() => readCapacityProfile(join(work, 'nope.json')), (e: unknown) => isChurnError(e) && e.code === 'INVALID_CAPACITY_PROFILE');
  });

  it('the example in docs/loadtest.md is a valid profile', () => {
    const docs = readFileSync(join(packageRoot, 'docs', 'loadtest.md'), 'utf8');
    const example = /```json\n([\s\S]*?)```/.exec(docs)?.[1];
    assert.ok(example !== undefined, 'docs/loadtest.md has a JSON example');
    assert.equal(validateCapacityProfile(JSON.parse(example), 'docs/loadtest.md').format, 'churn-predictor.capacity-profile');
  });
});
