import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { calibrateCapacity } from '../../src/loadtest/calibration.js';
import { validateCapacityProfile } from '../../src/loadtest/capacity-profile.js';
import { runLoadTest } from '../../src/loadtest/load-test.js';
import { packageRoot } from '../../src/foundation/package-files.js';

const cli = join(packageRoot, 'dist/src/cli/main.js');
const serverBuilt = existsSync(join(packageRoot, 'dist/src/server/start-server.js'));
const apiKey = 'e2e-load-test-key';
let child: ChildProcess | undefined;
let url = '';

/** Starts the real server on a free port and resolves with the URL it logs. */
function startServer(): Promise<string> {
  child = spawn(process.execPath, [cli, 'serve'], {
    env: { ...process.env, PORT: '0', GRPC_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', SHUTDOWN_DRAIN_SECONDS: '0', API_KEYS: apiKey },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`server did not start within 10 s:\n${log}`)), 10_000);
    child!.stdout!.on('data', (chunk: Buffer) => {
      // Keep reading: a full pipe would block the server's logging, and with it the server.
      if (url !== '') return;
      log += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child!.stderr!.on('data', (chunk: Buffer) => { log += chunk.toString(); });
    child!.once('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited with ${code}:\n${log}`)); });
  });
}

describe('load test against the real server', { skip: serverBuilt ? false : 'the server is not built (dist/src/server)', timeout: 60_000 }, () => {
  before(async () => { url = await startServer(); });
  after(async () => {
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child?.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  });

  it('single-record predictions for 2 s: every request answered 200, model identified', async () => {
    const report = await runLoadTest({ url, profile: 'constant:100', durationSeconds: 2, apiKey, connections: 8 });
    assert.equal(report.requests.offered, 200);
    assert.deepEqual(report.statuses, { 200: 200 }, JSON.stringify(report.errors));
    assert.equal(report.target.model?.name, 'churn');
    assert.ok(report.latency.p99Ms < 1000, `p99 ${report.latency.p99Ms} ms`);
  });

  it('batches go to /predict/batch, and a missing key is counted as HTTP 401', async () => {
    const batch = await runLoadTest({ url, profile: 'constant:20', durationSeconds: 1, apiKey, payload: 'batch:50' });
    assert.deepEqual(batch.statuses, { 200: 20 });
    const unauthorised = await runLoadTest({ url, profile: 'constant:20', durationSeconds: 0.5 });
    assert.deepEqual(unauthorised.statuses, { 401: 10 });
    assert.equal(unauthorised.errors.byKind.http_status, 10);
  });

  it('a short calibration reads CPU and memory from the server\'s /metrics', async () => {
    const result = await calibrateCapacity({ url, apiKey, startRps: 50, stepSeconds: 1, maxSteps: 2, refineSteps: 0, warmupSeconds: 0.5, sloP99Ms: 1000, maxErrorRate: 0.01 });
    const profile = validateCapacityProfile(JSON.parse(JSON.stringify(result.profile)));
    assert.equal(profile.steps.length, 2);
    assert.equal(profile.maxSustainableRps, 100);
    assert.ok(profile.cpuSecondsPerRequest > 0 && profile.cpuSecondsPerRequest < 0.05, `CPU s/request ${profile.cpuSecondsPerRequest}`);
    assert.ok(profile.memory.rssBytesIdle > 10 * 2 ** 20, 'RSS of a Node.js process is tens of MB');
    assert.deepEqual(profile.target.model, { name: 'churn', version: '1.0.0' });
  });
});
