import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readCapacityProfile } from '../../src/loadtest/capacity-profile.js';
import type { LoadTestReport } from '../../src/loadtest/load-report.js';
import { packageRoot } from '../../src/foundation/package-files.js';
import { startStubServer, type StubServer } from './stub-server.js';
import { reportCharts } from '../reporting/report-charts.js';

const cli = join(packageRoot, 'dist/src/cli/main.js');
const work = mkdtempSync(join(tmpdir(), 'churn-loadtest-cli-'));
let server: StubServer;
before(async () => { server = await startStubServer((n) => ({ status: n % 50 === 49 ? 500 : 200 })); });
after(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

/** Runs the CLI without blocking this process, whose event loop serves the stub. */
function run(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, 'loadtest', ...args], { timeout: 20_000, env: { ...process.env, LOADTEST_API_KEY: '' } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

describe('churn-predictor loadtest', { timeout: 60_000 }, () => {
  it('prints the report table, writes --out JSON and --html, exits 0 when the SLO is met', async () => {
    const out = join(work, 'report.json');
    const html = join(work, 'report.html');
    const result = await run('--url', server.url, '--profile', 'constant:100', '--duration', '1.5', '--slo', 'p99<5s,errors<5%', '--out', out, '--html', html);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /requests over/);
    assert.match(result.stdout, /HTTP 500\s+3/);
    assert.match(result.stdout, /errors<5%\s+2\.00%\s+5\.00%\s+met/);
    assert.match(result.stderr, /offered 100\.0\/s/, 'plain progress lines when stderr is not a terminal');
    const report = JSON.parse(readFileSync(out, 'utf8')) as LoadTestReport & { slo: { passed: boolean } };
    assert.equal(report.format, 'churn-predictor.loadtest-report');
    assert.equal(report.requests.offered, 150);
    assert.equal(report.statuses['500'], 3);
    assert.equal(report.slo.passed, true);
    assert.equal(reportCharts(readFileSync(html, 'utf8')).length, 3);
  });

  it('exits 2 when the SLO is not met', async () => {
    const result = await run('--url', server.url, '--profile', 'constant:50', '--duration', '0.5', '--slo', 'errors<50%,p99<1us');
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stdout, /NOT MET/);
  });

  it('exits 1 with a one-line error for bad arguments', async () => {
    for (const args of [['--slo', 'p99>5ms'], ['--profile', 'sine:5'], ['--payload', 'batch:0'], ['--url', 'not a url']]) {
      const result = await run('--url', server.url, '--duration', '0.5', ...args);
      assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /^error (INVALID_ARGUMENT|INVALID_PROFILE): /, args.join(' '));
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    }
  });

  it('--calibrate writes a capacity profile the reader accepts', async () => {
    const file = join(work, 'capacity.json');
    const result = await run('--url', server.url, '--calibrate', '--start-rps', '20', '--step-seconds', '0.5', '--max-steps', '2', '--refine-steps', '0',
      '--slo', 'p99<5s,errors<5%', '--payload', 'batch:3', '--out-profile', file);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /max sustainable\s+40 requests\/s/);
    assert.match(result.stderr, /step 1 \(search\): offered 20\/s/);
    const profile = readCapacityProfile(file);
    assert.equal(profile.payload, 'batch:3');
    assert.deepEqual(profile.slo, { p99Ms: 5000, maxErrorRate: 0.05 });
    assert.equal(profile.steps.length, 2);
  });
});
