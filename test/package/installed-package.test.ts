/**
 * The package as a user gets it: `npm pack` of this checkout (its built dist/), installed into an empty folder
 * from the tarball, with the registry providing the dependencies. Imports the public API with its types, and runs
 * the command line with its defaults there, where nothing of this repository (sources, dev dependencies,
 * kubectl) is around.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { exportOnnx } from '../../src/export/onnx-export.js';
import { CODE_CACHE_SUFFIX } from '../../src/foundation/code-cache.js';
import { packageRoot } from '../../src/foundation/package-files.js';
import { loadModelArtifact } from '../../src/model/artifact-loader.js';
import { bundledModelDirectory } from '../../src/model/bundled-model.js';
import { freePort } from '../../src/foundation/free-port.js';
import { inferenceClient } from '../server/grpc/grpc-client.js';

const npm = (args: string[], cwd: string, timeout = 300_000): string => execFileSync('npm', args, {
  cwd, encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' },
});

/**
 * The environment a user's shell gives the commands: without the npm_* variables `npm test` exports (this
 * checkout's .npmrc settings, which npx would warn about as unknown to a consumer).
 */
const userEnvironment = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')));

/** Disk usage of a folder in bytes (`du`), for the size the install costs. */
function bytesOf(path: string): number {
  return Number(execFileSync('du', ['-sb', path], { encoding: 'utf8' }).split('\t')[0]);
}

describe('the installed package (npm pack, then npm install of the tarball into an empty folder)', { timeout: 600_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'churn-package-'));
  const consumer = join(work, 'consumer');
  const cli = (...args: string[]) => ['npx', '--no-install', 'churn-predictor', ...args];
  before(() => {
    // dist/ is built (npm test builds first); --ignore-scripts keeps pack from building again.
    const [packed] = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], packageRoot)) as { filename: string }[];
    execFileSync('mkdir', ['-p', consumer]);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
    npm(['install', '--prefer-offline', '--ignore-scripts', join(work, packed!.filename)], consumer);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('holds what the commands need, without the optional packages (onnxruntime-node, the AWS SDK)', (t) => {
    const installed = join(consumer, 'node_modules');
    // dist/web: the console the server answers at / and the chart script every HTML report inlines (built by esbuild, not tsc).
    const paths = ['dist/src/index.js', 'dist/src/index.d.ts', 'dist/web/console/index.html', 'dist/web/console/console.js', 'dist/web/console/console.css',
      'dist/web/report-charts.js', 'dist/web/report-charts.css', 'models/churn/manifest.json', 'deploy/kubernetes/rendered/production.yaml', 'LICENSE'];
    for (const path of paths) {
      assert.ok(existsSync(join(installed, 'churn-predictor', path)), path);
    }
    assert.ok(!existsSync(join(installed, 'churn-predictor', 'test')) && !existsSync(join(installed, 'churn-predictor', 'dist', 'test')), 'no tests in the package');
    // The server's code cache is made for the V8 and flags of the machine that built it; the package's first start writes its own.
    const bundle = readdirSync(join(installed, 'churn-predictor', 'dist', 'src', 'bundle'));
    assert.ok(bundle.some((name) => /^serve-\w+\.cjs$/.test(name)), 'the server bundle');
    assert.deepEqual(bundle.filter((name) => name.endsWith('.code-cache')), [], 'no code cache in the package');
    assert.ok(!existsSync(join(installed, 'onnxruntime-node')), 'onnxruntime-node is optional');
    assert.ok(!existsSync(join(installed, '@aws-sdk', 'client-s3')), 'the AWS SDK is optional');
    t.diagnostic(`installed size: ${(bytesOf(installed) / 2 ** 20).toFixed(1)} MiB in node_modules`);
  });

  test('the public API imports with its types and scores a record', () => {
    writeFileSync(join(consumer, 'use.ts'), `
import { DataPlane, NativeRuntime, bundledModelDirectory, hpa, loadServerConfig, parseTrafficProfile, type SinglePrediction } from 'churn-predictor';
const config = loadServerConfig({});
const plane = new DataPlane(NativeRuntime.open(bundledModelDirectory), { maxBatchSize: config.maxBatchSize });
const record = { gender: 'Female', SeniorCitizen: 0, Partner: 'Yes', Dependents: 'No', tenure: 1, PhoneService: 'No', MultipleLines: 'No phone service',
  InternetService: 'DSL', OnlineSecurity: 'No', OnlineBackup: 'Yes', DeviceProtection: 'No', TechSupport: 'No', StreamingTV: 'No',
  StreamingMovies: 'No', Contract: 'Month-to-month', PaperlessBilling: 'Yes', PaymentMethod: 'Electronic check', MonthlyCharges: 29.85, TotalCharges: 29.85 };
const prediction = plane.predict(record, {}, 'cli') as SinglePrediction;
const profile = parseTrafficProfile('monday-9am');
console.log(JSON.stringify({ p: prediction.churnProbability, tolerance: hpa.defaultTolerances.scaleUp, profile: profile.durationSeconds }));
`);
    writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noUncheckedIndexedAccess: true, skipLibCheck: false, types: [], outDir: 'out' },
      files: ['use.ts'],
    }));
    // The consumer type-checks against the installed declarations with this project's TypeScript.
    execFileSync(process.execPath, [join(packageRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: consumer, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const output = JSON.parse(execFileSync(process.execPath, ['out/use.js'], { cwd: consumer, encoding: 'utf8' })) as { p: number; tolerance: number; profile: number };
    assert.ok(output.p > 0 && output.p < 1);
    assert.equal(output.tolerance, 0.1);
    assert.ok(output.profile > 0);
  });

  test('npx churn-predictor serve, with its defaults, serves the bundled model', async () => {
    const [command, ...args] = cli('serve');
    // gRPC on a free port (the default 8081 may be taken): the package's proto/ files must load for it to listen.
    const grpcPort = await freePort();
    // Its own process group: npx runs the server as a child and does not pass SIGTERM on, so the server
    // (holding this process's pipes) would outlive the test and keep the test file from ever exiting.
    const child = spawn(command!, args, { cwd: consumer, env: { ...userEnvironment, PORT: '0', GRPC_PORT: String(grpcPort), HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const exited = new Promise<void>((resolve) => { child.stdout!.on('close', resolve); });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        createInterface({ input: child.stdout! }).on('line', (line) => {
          try {
            const entry = JSON.parse(line) as { msg?: string; port?: number };
            if (entry.msg === 'listening' && typeof entry.port === 'number') resolve(entry.port);
          } catch { /* not a log line */ }
        });
        child.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
      });
      const base = `http://127.0.0.1:${port}`;
      assert.equal((await fetch(`${base}/readyz`)).status, 200);
      const card = await (await fetch(`${base}/model`)).json() as { name: string; format: string };
      assert.deepEqual([card.name, card.format], ['churn', 'native']);
      // The console is served from the installed package's dist/web, with the files its page names.
      const page = await fetch(`${base}/`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      const html = await page.text();
      for (const file of ['/console/console.js', '/console/console.css']) {
        assert.ok(html.includes(file), `index.html names ${file}`);
        const asset = await fetch(`${base}${file}`);
        assert.equal(asset.status, 200, file);
        assert.ok((await asset.arrayBuffer()).byteLength > 1000, `${file} is the built bundle`);
      }
      const settings = await (await fetch(`${base}/console/settings`)).json() as { scoresRecords: boolean; explains: boolean };
      assert.deepEqual([settings.scoresRecords, settings.explains], [true, true]);
      const sample = await (await fetch(`${base}/console/sample-customer`)).json() as { synthetic: boolean };
      assert.equal(sample.synthetic, false, 'the sample customers come from the data file the package ships');
      // gRPC, with the contracts from the package's proto/ folder.
      const client = inferenceClient(grpcPort);
      try {
        assert.equal((await client.health()).response?.['status'], 'SERVING');
        assert.equal((await client.call('ModelMetadata', { name: 'churn' })).response?.['name'], 'churn');
      } finally {
        client.close();
      }
      // Its first start wrote the code cache the package does not carry, beside the installed bundle.
      const bundle = join(consumer, 'node_modules', 'churn-predictor', 'dist', 'src', 'bundle');
      assert.ok(readdirSync(bundle).some((name) => name.endsWith(CODE_CACHE_SUFFIX)), 'the code cache, written after the first start');
    } finally {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch { /* the group has exited already (serve failed to start) */ }
      await exited;
    }
  });

  test('simulate and plan run with their defaults (the rendered production manifests, the bundled capacity profile), no kubectl needed', () => {
    const report = join(work, 'simulation.html');
    const [command, ...args] = cli('simulate', '--html', report);
    const simulated = execFileSync(command!, args, { cwd: consumer, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 2 ** 20, env: { ...userEnvironment, KUBECTL: '/nonexistent/kubectl' } });
    assert.match(simulated, /rendered\/production\.yaml/);
    assert.match(simulated, /pod-hours/);
    // The HTML report inlines the chart script from the installed dist/web: one file, nothing to fetch.
    const html = readFileSync(report, 'utf8');
    assert.match(html, /id="report-charts-data"/);
    assert.doesNotMatch(html, /<script[^>]+src=/);
    const chartScript = readFileSync(join(consumer, 'node_modules', 'churn-predictor', 'dist', 'web', 'report-charts.js'), 'utf8');
    assert.ok(html.includes(chartScript.slice(0, 400)), 'the chart script is inline');
    const [planCommand, ...planArgs] = cli('plan', '--profile', 'monday-9am:2');
    const plan = execFileSync(planCommand!, planArgs, { cwd: consumer, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 2 ** 20, env: { ...userEnvironment, KUBECTL: '/nonexistent/kubectl' } });
    assert.match(plan, /minReplicas|replicas/i);
  });

  test('exports the bundled model to ONNX with the production dependencies alone, the same bytes as this checkout', () => {
    const out = join(work, 'exported', 'churn.onnx');
    const [command, ...args] = cli('export', '--format', 'onnx', '--out', out);
    execFileSync(command!, args, { cwd: consumer, encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'], env: userEnvironment });
    assert.ok(readFileSync(out).equals(exportOnnx(loadModelArtifact(bundledModelDirectory))));
  });

  test('an ONNX or s3:// model without its optional package stops start-up with one line naming the package', () => {
    const onnx = join(work, 'model.onnx');
    writeFileSync(onnx, readFileSync(join(packageRoot, 'LICENSE')));
    for (const [location, packageName] of [[onnx, 'onnxruntime-node'], ['s3://models/churn/model.json', '@aws-sdk/client-s3']] as const) {
      const [command, ...args] = cli('serve');
      let stderr = '';
      try {
        execFileSync(command!, args, { cwd: consumer, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'], env: { ...userEnvironment, MODEL_PATH: location, PORT: '0', GRPC_PORT: '0' } });
        assert.fail(`serve started with ${location}`);
      } catch (error) {
        stderr = String((error as { stderr?: string }).stderr ?? '');
        assert.equal((error as { status?: number }).status, 1);
      }
      const lines = stderr.trim().split('\n');
      assert.equal(lines.length, 1, stderr);
      assert.match(lines[0]!, new RegExp(`^error PACKAGE_NOT_INSTALLED: .*npm install ${packageName.replace('/', '\\/')}@`));
    }
  });
});
