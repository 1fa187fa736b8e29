import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { packageRoot } from '../../src/foundation/package-files.js';
import { containerCommand, copies, environment, parseDockerfile, user, workdir, type Stage } from './dockerfile-rules.js';
import { smokeTestRecord } from './kind-up-script.js';
import { renderOverlay } from './rendered-manifests.js';
import { kubectlUnavailable } from './kubectl.js';
import { deployments, objectsOfKind, podSpec } from './workloads.js';
import { freePort } from '../../src/foundation/free-port.js';
import { inferenceClient } from '../server/grpc/grpc-client.js';

/**
 * The image's runtime stage without Docker: the files its COPY instructions would put in /app
 * (production dependencies from a fresh `npm ci --omit=dev`, the compiled server, the model), run
 * with its ENV and command, the production ConfigMap's variables, and, when the test runs as root,
 * as the image's non-root uid so nothing under /app is writable (the read-only root filesystem).
 */
const dockerfile = parseDockerfile(readFileSync(join(packageRoot, 'Dockerfile'), 'utf8'));
const runtime = dockerfile.stages.at(-1);
const imageWorkdir = runtime === undefined ? '/app' : (workdir(runtime) ?? '/');

function stage(name: string): Stage {
  const found = dockerfile.stages.find((s) => s.name === name);
  assert.ok(found, `no stage ${name}`);
  return found;
}

/** Where a path inside the image lands in the reproduction. */
function inImage(root: string, imagePath: string): string {
  return join(root, relative(imageWorkdir, join(imageWorkdir, imagePath)));
}

/** The `npm ci ...` of a stage's RUN, alone: the rest (`npm cache clean --force`) must not touch this machine. */
function npmCiArguments(source: Stage): string[] {
  const run = source.instructions.find((i) => i.getKeyword().toUpperCase() === 'RUN' && /\bnpm ci\b/.test(i.getArgumentsContent() ?? ''));
  const command = /\bnpm ci\b[^&;|]*/.exec(run?.getArgumentsContent() ?? '')?.[0];
  assert.ok(command, `stage ${source.name} runs no npm ci`);
  return command.trim().split(/\s+/).slice(1);
}

/** The packages the stage's `include-optional-packages.mjs` run names: its OPTIONAL_PACKAGES ARG default. */
function optionalPackages(source: Stage): string[] {
  const arg = source.instructions.find((i) => i.getKeyword().toUpperCase() === 'ARG' && /^OPTIONAL_PACKAGES=/.test(i.getArgumentsContent() ?? ''));
  const value = /^OPTIONAL_PACKAGES="?([^"]*)"?$/.exec(arg?.getArgumentsContent() ?? '')?.[1];
  assert.ok(value !== undefined, `stage ${source.name} declares no OPTIONAL_PACKAGES default`);
  return value.split(/\s+/).filter((name) => name !== '');
}

function reproduceRuntimeStage(root: string): void {
  assert.ok(runtime);
  for (const copy of copies(runtime)) {
    const destination = inImage(root, copy.destination);
    if (copy.from === undefined) {
      for (const source of copy.sources) {
        const target = copy.sources.length > 1 || copy.destination.endsWith('/') ? join(destination, source) : destination;
        mkdirSync(dirname(target), { recursive: true });
        cpSync(join(packageRoot, source), target, { recursive: true });
      }
    } else if (copy.from === 'build') {
      // The build stage compiles src/ with tsc; this repository's dist/ is that output.
      for (const source of copy.sources) {
        cpSync(join(packageRoot, relative(workdir(stage('build')) ?? '/', source)), destination, { recursive: true });
      }
    } else {
      const dependencies = stage(copy.from);
      const scratch = mkdtempSync(join(tmpdir(), 'churn-deps-'));
      try {
        for (const file of ['package.json', 'package-lock.json']) cpSync(join(packageRoot, file), join(scratch, file));
        // The optional packages the image includes (its ARG default), made production dependencies as the stage does.
        execFileSync(process.execPath, [join(packageRoot, 'scripts', 'include-optional-packages.mjs'), ...optionalPackages(dependencies)], { cwd: scratch, stdio: 'ignore' });
        execFileSync('npm', ['ci', ...npmCiArguments(dependencies).slice(1), '--prefer-offline'], {
          cwd: scratch,
          stdio: 'ignore',
          timeout: 240_000,
          env: { ...process.env, npm_config_update_notifier: 'false' },
        });
        for (const source of copy.sources) {
          cpSync(join(scratch, relative(workdir(dependencies) ?? '/', source)), destination, { recursive: true });
        }
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    }
  }
}

interface Server {
  child: ChildProcess;
  port: Promise<number>;
  /** The `listening` line's fields. */
  listening: Promise<Record<string, unknown>>;
  exit: Promise<number | null>;
}

function startServer(root: string, env: Record<string, string>): Server {
  assert.ok(runtime);
  const [program, ...args] = containerCommand(runtime) ?? [];
  assert.equal(program, 'node');
  const [uid, gid] = (user(runtime) ?? '').split(':').map(Number);
  const asImageUser = process.getuid?.() === 0 && uid !== undefined && gid !== undefined;
  const child = spawn(process.execPath, args, {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(asImageUser ? { uid, gid } : {}),
  });
  const listening = new Promise<Record<string, unknown>>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        if (entry['msg'] === 'listening' && typeof entry['port'] === 'number') resolve(entry);
      } catch {
        // not a log line
      }
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${stderr.slice(0, 500)}`)));
  });
  const port = listening.then((entry) => entry['port'] as number);
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, port, listening, exit };
}

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: await response.text() };
}

describe('the runtime stage, reproduced without Docker', { timeout: 300_000, skip: kubectlUnavailable }, () => {
  const root = mkdtempSync(join(tmpdir(), 'churn-image-'));
  const objects = renderOverlay('production');
  const deployment = deployments(objects)[0];
  const container = deployment?.spec?.template.spec?.containers[0];
  let server: Server | undefined;
  let port = 0;
  let grpcPort = 0;

  before(async () => {
    grpcPort = await freePort();
    chmodSync(root, 0o755);
    reproduceRuntimeStage(root);
    const configMapName = container?.envFrom?.[0]?.configMapRef?.name;
    const config = objectsOfKind<IConfigMap>(objects, 'ConfigMap').find((c) => c.metadata.name === configMapName)?.data;
    assert.ok(runtime && config);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ...Object.fromEntries(environment(runtime)),
      ...config,
      // Paths under /app move to the reproduction; free ports replace 8000 and 8081 so tests can run in parallel.
      MODEL_PATH: inImage(root, relative(imageWorkdir, config.MODEL_PATH ?? '')),
      PORT: '0',
      GRPC_PORT: String(grpcPort),
      HOST: '127.0.0.1',
    };
    server = startServer(root, env);
    port = await Promise.race([
      server.port,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('not listening after 30 s')), 30_000)),
    ]);
  });

  after(async () => {
    if (server !== undefined && server.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await server.exit;
    }
    rmSync(root, { recursive: true, force: true });
  });

  test('holds production dependencies only', () => {
    // package-lock.json marks every package only dev dependencies need with `dev: true`.
    const lock = JSON.parse(readFileSync(join(packageRoot, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean; optional?: boolean }>;
    };
    const installed = Object.entries(lock.packages).filter(([path]) => path.startsWith('node_modules/'));
    // The optional packages the image includes are dev dependencies of the checkout: they and what they depend on
    // belong in the image; every other dev-only package must stay out.
    const included = optionalPackages(stage('production-dependencies'));
    assert.ok(included.every((name) => existsSync(join(root, 'node_modules', name))), `the image carries ${included.join(', ')}`);
    const closure = new Set<string>();
    const visit = (path: string): void => {
      if (closure.has(path) || lock.packages[path] === undefined) return;
      closure.add(path);
      for (const dependency of Object.keys((lock.packages[path] as { dependencies?: Record<string, string> }).dependencies ?? {})) {
        visit(`${path}/node_modules/${dependency}`);
        visit(`node_modules/${dependency}`);
      }
    };
    for (const name of included) visit(`node_modules/${name}`);
    const devOnly = installed.filter(([path, entry]) => entry.dev === true && !closure.has(path)).map(([path]) => path);
    const production = installed.filter(([, entry]) => entry.dev !== true && entry.optional !== true).map(([path]) => path);
    assert.ok(devOnly.length > 0 && production.length > 0);
    assert.deepEqual(devOnly.filter((path) => existsSync(join(root, path))), [], 'dev-only packages in the image');
    assert.deepEqual(production.filter((path) => !existsSync(join(root, path))), [], 'production packages missing');
    assert.ok(!existsSync(join(root, 'src')) && !existsSync(join(root, 'test')), 'no sources or tests in the image');
  });

  test('answers every probe path of the Deployment, and /health, with 200 within the startup budget', async () => {
    // Polled like the kubelet does: a busy machine may trip the server's load shedding for a moment.
    const startup = container?.startupProbe;
    const budgetMs = (startup?.failureThreshold ?? 3) * (startup?.periodSeconds ?? 10) * 1000;
    const paths = [startup, container?.livenessProbe, container?.readinessProbe].map((p) => p?.httpGet?.path);
    // /health too: the seed's endpoint, which the README and kind-up.sh curl.
    for (const path of new Set([...paths, '/health'])) {
      assert.ok(path);
      const deadline = performance.now() + budgetMs;
      let status = 0;
      while (status !== 200 && performance.now() < deadline) {
        status = (await get(port, path)).status;
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 500));
      }
      assert.equal(status, 200, path);
    }
  });

  test('starts from the code cache the build stage wrote, on its read-only /app', async () => {
    assert.ok(server);
    // Copied as COPY --from copies it, modification times not kept: the cache is named by content, not by them.
    assert.equal((await server.listening)['codeCache'], 'accepted');
  });

  test("scores kind-up.sh's smoke-test record", async () => {
    const response = await fetch(`http://127.0.0.1:${port}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(smokeTestRecord()),
      signal: AbortSignal.timeout(5_000),
    });
    assert.equal(response.status, 200, await response.clone().text());
    const body = (await response.json()) as { churnProbability?: unknown };
    assert.equal(typeof body.churnProbability, 'number');
  });

  test('answers gRPC (its .proto files are in the image): grpc.health.v1 SERVING, and ModelInfer', async () => {
    const client = inferenceClient(grpcPort);
    try {
      assert.equal((await client.health()).response?.['status'], 'SERVING');
      const record = Buffer.from(JSON.stringify(smokeTestRecord()));
      const answer = await client.call('ModelInfer', {
        model_name: 'churn', inputs: [{ name: 'records', datatype: 'BYTES', shape: [1], parameters: { content_type: { string_param: 'json' } }, contents: { bytes_contents: [record] } }],
      });
      assert.equal(answer.code, 'OK', answer.message);
    } finally {
      client.close();
    }
  });

  test('serves the console at / from the dist/web it copies', async () => {
    const page = await get(port, '/');
    assert.equal(page.status, 200);
    for (const file of ['/console/console.js', '/console/console.css']) {
      assert.ok(page.body.includes(file), `index.html names ${file}`);
      assert.equal((await get(port, file)).status, 200, file);
    }
  });

  test('documents the API: /openapi.json, and Swagger UI at /docs with the files it serves from node_modules', async () => {
    const openapi = await get(port, '/openapi.json');
    assert.equal(openapi.status, 200);
    assert.ok('/predict' in ((JSON.parse(openapi.body) as { paths?: object }).paths ?? {}));
    const page = await get(port, '/docs');
    assert.equal(page.status, 200);
    const script = /src="(\/docs\/static\/[^"]+\.js)"/.exec(page.body)?.[1];
    assert.ok(script, 'the Swagger UI page loads a script');
    assert.equal((await get(port, script)).status, 200, script);
  });

  test('exposes http_requests_total with the route label the KEDA query filters on', async () => {
    const metrics = await get(port, '/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.body, /^http_requests_total\{[^}]*route="\/predict"[^}]*\} \d+/m);
  });

  test('on SIGTERM turns unready at once and exits 0 within the grace period left after preStop', async () => {
    assert.ok(server && deployment);
    const grace = podSpec(deployment)?.terminationGracePeriodSeconds ?? 30;
    const preStop = container?.lifecycle?.preStop?.sleep?.seconds ?? 0;
    const started = performance.now();
    server.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal((await get(port, '/readyz')).status, 503, 'readiness fails during the drain');
    const code = await Promise.race([
      server.exit,
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), (grace - preStop) * 1000)),
    ]);
    assert.equal(code, 0, `exit code after ${(performance.now() - started) / 1000} s`);
  });
});
