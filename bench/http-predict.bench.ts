/**
 * HTTP throughput and latency of the model server against a bare node:http JSON server, in the same run.
 * The server under test runs on core 0 and the load generator (autocannon) on core 1 (taskset), when the
 * machine has both; the baseline server gets the same core and the same load.
 *
 *   node dist/bench/http-predict.bench.js [--duration 8] [--connections 32] [--rounds 2]
 *
 * Scenarios: single-record POST /predict at full load (server vs bare), at a fixed 1,000 requests/s (p99),
 * and POST /predict/batch with 1,000 records (records/s, server vs bare). Each figure is the best of the
 * rounds, and the server's CPU time per request is reported beside throughput: on a shared machine it is
 * the steadier measure.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseCsvRecords } from '../src/features/csv-records.js';
import { telcoChurnSchema } from '../src/features/telco-schema.js';
import { bundledDataFile } from '../src/model/bundled-model.js';
import { packageRoot } from '../src/foundation/package-files.js';
import { reportBench } from './bench-report.js';
import { autocannon, best, canPin, runBareServer, startTarget, stop, type LoadResult, type Target } from './load-targets.js';

const BATCH_SIZE = 1000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'bare-server': { type: 'boolean', default: false },
      duration: { type: 'string', default: '8' },
      connections: { type: 'string', default: '32' },
      rounds: { type: 'string', default: '2' },
    },
  });
  if (values['bare-server']) { runBareServer(); return; }
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  const rounds = Number(values.rounds);

  const work = mkdtempSync(join(tmpdir(), 'http-predict-bench-'));
  const records = parseCsvRecords(readFileSync(bundledDataFile, 'utf8'), telcoChurnSchema).records;
  const singleFile = join(work, 'single.json');
  const batchFile = join(work, 'batch.json');
  writeFileSync(singleFile, JSON.stringify(records[0]));
  writeFileSync(batchFile, JSON.stringify({ records: records.slice(0, BATCH_SIZE) }));

  const self = join(packageRoot, 'dist', 'bench', 'http-predict.bench.js');
  const cli = join(packageRoot, 'dist', 'src', 'cli', 'main.js');
  const targets: Target[] = [];
  try {
    const bare = await startTarget('bare node:http', [self, '--bare-server'], {}, join(work, 'bare.log'));
    targets.push(bare);
    // The server as deployed: default configuration (LOG_LEVEL=info, one log line per request, metrics, shedding armed).
    const server = await startTarget('churn-predictor', [cli, 'serve'], { PORT: '0', GRPC_PORT: '0', HOST: '127.0.0.1' }, join(work, 'server.log'));
    targets.push(server);

    // Warm both up (JIT, connection setup) before measuring.
    await autocannon(bare, '/predict', { connections: 8, duration: 2, bodyFile: singleFile });
    await autocannon(server, '/predict', { connections: 8, duration: 2, bodyFile: singleFile });

    const single = { bare: [] as LoadResult[], server: [] as LoadResult[] };
    const batch = { bare: [] as LoadResult[], server: [] as LoadResult[] };
    const batchConnections = 4;
    for (let round = 0; round < rounds; round++) {
      // Interleaved, so drift in the machine's load hits both sides alike.
      single.bare.push(await autocannon(bare, '/predict', { connections, duration, bodyFile: singleFile }));
      single.server.push(await autocannon(server, '/predict', { connections, duration, bodyFile: singleFile }));
      batch.bare.push(await autocannon(bare, '/predict/batch', { connections: batchConnections, duration, bodyFile: batchFile }));
      batch.server.push(await autocannon(server, '/predict/batch', { connections: batchConnections, duration, bodyFile: batchFile }));
    }
    const paced = await autocannon(server, '/predict', { connections: 16, duration, bodyFile: singleFile, rate: 1000 });
    const pacedBare = await autocannon(bare, '/predict', { connections: 16, duration, bodyFile: singleFile, rate: 1000 });

    const sb = best(single.bare);
    const ss = best(single.server);
    const bb = best(batch.bare);
    const bs = best(batch.server);
    const serverRuns = [...single.server, ...batch.server, paced];
    const shed = serverRuns.reduce((n, r) => n + r.non2xx, 0);
    const failures = serverRuns.reduce((n, r) => n + r.errors, 0);
    const logLines = readFileSync(join(work, 'server.log'), 'utf8').split('\n').length;
    reportBench({
      scenario: 'http-predict',
      rows: [
        { metric: 'single: bare node:http', value: sb.requestsPerSecond, unit: 'req/s', note: `${sb.cpuMicrosPerRequest.toFixed(0)} us CPU/req; p99 ${sb.p99Ms} ms; ${connections} connections` },
        { metric: 'single: churn-predictor', value: ss.requestsPerSecond, unit: 'req/s', note: `${ss.cpuMicrosPerRequest.toFixed(0)} us CPU/req; p99 ${ss.p99Ms} ms` },
        { metric: 'single: throughput server/bare', value: ss.requestsPerSecond / sb.requestsPerSecond, unit: 'x', note: 'target >= 0.60' },
        { metric: 'single: CPU/req bare/server', value: sb.cpuMicrosPerRequest / ss.cpuMicrosPerRequest, unit: 'x', note: 'the same ratio, measured as CPU cost' },
        { metric: 'single @1000 req/s: p99', value: paced.p99Ms, unit: 'ms', note: `target < 5 ms; p50 ${paced.p50Ms} ms; achieved ${paced.requestsPerSecond.toFixed(0)} req/s` },
        { metric: 'single @1000 req/s: bare p99', value: pacedBare.p99Ms, unit: 'ms', note: `p50 ${pacedBare.p50Ms} ms (the machine's own noise)` },
        { metric: `batch ${BATCH_SIZE}: bare node:http`, value: bb.requestsPerSecond * BATCH_SIZE, unit: 'records/s', note: `${(bb.cpuMicrosPerRequest / 1000).toFixed(2)} ms CPU/batch; ${batchConnections} connections` },
        { metric: `batch ${BATCH_SIZE}: churn-predictor`, value: bs.requestsPerSecond * BATCH_SIZE, unit: 'records/s', note: `target > 200000; ${(bs.cpuMicrosPerRequest / 1000).toFixed(2)} ms CPU/batch; p99 ${bs.p99Ms} ms` },
        { metric: `batch ${BATCH_SIZE}: records/s per CPU-second`, value: (1e6 * BATCH_SIZE) / bs.cpuMicrosPerRequest, unit: 'records/s', note: 'what one uncontended core would do' },
        { metric: `batch ${BATCH_SIZE}: throughput server/bare`, value: bs.requestsPerSecond / bb.requestsPerSecond, unit: 'x' },
        { metric: 'server non-2xx responses', value: shed, unit: 'responses', note: '503 OVERLOADED when the core is starved: load shedding at work' },
        { metric: 'server connection errors/timeouts', value: failures, unit: 'requests', note: 'must be 0' },
      ],
      extra: {
        command: `node dist/bench/http-predict.bench.js --duration ${duration} --connections ${connections} --rounds ${rounds}`,
        pinning: canPin ? 'server and baseline on core 0, autocannon on core 1 (taskset)' : 'not pinned (taskset or a second core unavailable)',
        serverLogLines: logLines,
        runs: { single, batch, paced, pacedBare },
      },
    });
  } finally {
    for (const target of targets) await stop(target);
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
