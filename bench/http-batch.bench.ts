/**
 * POST /predict/batch with 1,000 records, as JSON and as CSV (the data file's format), through the HTTP server in its
 * default configuration: records per second (target >= 300,000), the server's CPU time per batch (the steadier
 * measure on a shared machine), and where that time goes: the data plane's own stage timings, read from the server's
 * /metrics (decode: the one pass over the body into the encoded rows; score; encode: the answer), the rest being HTTP
 * (reading the body, the framework, the log line, writing the answer). Beside it, in this process, the floors: the
 * CPU time of decoding alone and of scoring alone, the old decoding (JSON.parse + the record encoder; csv-parse) for
 * comparison, and a bare node:http server that only parses the JSON and answers (its ceiling for JSON).
 *
 * With --baseline <dist/src/cli/main.js of another build> (e.g. main's, built in a copy of the tree), that build
 * is served and measured the same way in the same run, interleaved round by round: before and after, as ratios.
 * The server runs on core 0 and autocannon on core 1 (taskset), when the machine has both.
 *
 *   node dist/bench/http-batch.bench.js [--duration 6] [--rounds 3] [--connections 4] [--baseline <main.js>]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseCsvRecords } from '../src/features/csv-records.js';
import { packageRoot } from '../src/foundation/package-files.js';
import { serveArguments } from '../src/foundation/server-launch.js';
import { loadModelArtifact } from '../src/model/artifact-loader.js';
import { bundledDataFile, bundledModelDirectory } from '../src/model/bundled-model.js';
import { NativeRuntime } from '../src/runtimes/native-runtime.js';
import { batchFieldsOf, batchMatrices } from '../src/serving/codecs/batch-rows.js';
import { decodeCsvRows } from '../src/serving/codecs/csv-batch-decoder.js';
import { decodeJsonBatch } from '../src/serving/codecs/json-batch-decoder.js';
import { recordsOfJsonBatch } from '../src/serving/codecs/json-records.js';
import { DataPlane } from '../src/serving/data-plane.js';
import { cpuMicros, median, reportBench, type BenchRow } from './bench-report.js';
import { autocannon, best, ON_LOOPBACK, pinningNote, runBareServer, stageMeans, stageTotals, startTarget, stop, type LoadResult, type Target } from './load-targets.js';

const BATCH_SIZE = 1000;
const TARGET_RECORDS_PER_SECOND = 300_000;

interface BodyKind {
  name: 'JSON' | 'CSV';
  file: string;
  contentType: string;
}

interface Measured {
  runs: LoadResult[];
  /** Mean microseconds per batch in each data-plane stage, over all runs. */
  stages: Record<string, number>;
}

/** CPU microseconds per call of `body`, the median of `samples` samples of `calls` calls each (after a warm-up). */
function cpuPerCall(body: () => unknown, samples = 15, calls = 10): number {
  for (let i = 0; i < calls * 3; i++) body();
  const micros: number[] = [];
  for (let s = 0; s < samples; s++) micros.push(cpuMicros(() => { for (let i = 0; i < calls; i++) body(); }) / calls);
  return median(micros);
}

/** The floors, in this process: each step alone on the same 1,000-record bodies, CPU time per batch. */
function inProcessFloors(json: string, csv: string): Record<string, number> {
  const loaded = loadModelArtifact(bundledModelDirectory);
  const runtime = new NativeRuntime(loaded);
  const plane = new DataPlane(runtime, { maxBatchSize: BATCH_SIZE });
  const fields = batchFieldsOf(runtime.encoder)!;
  const records = recordsOfJsonBatch(JSON.parse(json));
  const encoder = runtime.encoder;
  const x = new Float64Array(BATCH_SIZE * encoder.width);
  const jsonBytes = Buffer.from(json);
  const csvBytes = Buffer.from(csv);
  // The server's decoders reuse a few matrices, each given back when its batch is answered: so do these.
  const matrices = batchMatrices();
  const encoded = decodeJsonBatch(jsonBytes, encoder, fields, BATCH_SIZE, batchMatrices())!.rows;
  return {
    'JSON: one-pass decode (parse, validate, encode)': cpuPerCall(() => decodeJsonBatch(jsonBytes, encoder, fields, BATCH_SIZE, matrices)!.release()),
    'JSON: old decode, JSON.parse alone': cpuPerCall(() => JSON.parse(json)),
    'JSON: old decode, the record encoder over the parsed records': cpuPerCall(() => { for (let i = 0; i < records.length; i++) encoder.encode(records[i], x, i * encoder.width); }),
    'CSV: one-pass decode (parse, validate, encode)': cpuPerCall(() => decodeCsvRows(csvBytes, encoder, fields, BATCH_SIZE, matrices)!.release()),
    'CSV: old decode, csv-parse into records': cpuPerCall(() => plane.decodeCsv(csv, 'rest'), 9, 3),
    'score alone (1,000 encoded rows)': cpuPerCall(() => runtime.predict(encoded)),
    'JSON: data plane end to end (predictJsonBatch)': cpuPerCall(() => plane.predictJsonBatch(jsonBytes, {}, 'rest')),
    'CSV: data plane end to end (predictCsvBatch)': cpuPerCall(() => plane.predictCsvBatch(csvBytes, {}, 'rest')),
  };
}

async function measure(target: Target, kind: BodyKind, options: { connections: number; duration: number }, into: Measured): Promise<void> {
  const before = await stageTotals(target, 'rest');
  const result = await autocannon(target, '/predict/batch', { ...options, bodyFile: kind.file, headers: { 'content-type': kind.contentType } });
  const means = stageMeans(before, await stageTotals(target, 'rest'), result.total);
  into.runs.push(result);
  const n = into.runs.length;
  for (const [stage, micros] of Object.entries(means)) into.stages[stage] = ((into.stages[stage] ?? 0) * (n - 1) + micros) / n;
}

const recordsPerSecond = (r: LoadResult): number => r.okPerSecond * BATCH_SIZE;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'bare-server': { type: 'boolean', default: false },
      duration: { type: 'string', default: '6' },
      rounds: { type: 'string', default: '3' },
      connections: { type: 'string', default: '4' },
      baseline: { type: 'string' },
    },
  });
  if (values['bare-server']) { runBareServer(); return; }
  const duration = Number(values.duration);
  const rounds = Number(values.rounds);
  const connections = Number(values.connections);

  const work = mkdtempSync(join(tmpdir(), 'http-batch-bench-'));
  const dataText = readFileSync(bundledDataFile, 'utf8');
  const records = parseCsvRecords(dataText, loadModelArtifact(bundledModelDirectory).manifest.schema).records.slice(0, BATCH_SIZE);
  const json = JSON.stringify({ records });
  // The data file's first 1,000 customers, header included, as a client would upload them.
  const csv = dataText.split('\n').slice(0, BATCH_SIZE + 1).join('\n') + '\n';
  const kinds: BodyKind[] = [
    { name: 'JSON', file: join(work, 'batch.json'), contentType: 'application/json' },
    { name: 'CSV', file: join(work, 'batch.csv'), contentType: 'text/csv' },
  ];
  writeFileSync(kinds[0]!.file, json);
  writeFileSync(kinds[1]!.file, csv);

  const self = join(packageRoot, 'dist', 'bench', 'http-batch.bench.js');
  const targets: Target[] = [];
  try {
    const servers: Target[] = [await startTarget('this build', serveArguments(), ON_LOOPBACK, join(work, 'server.log'))];
    if (values.baseline !== undefined) servers.push(await startTarget('baseline build', serveArguments(values.baseline), ON_LOOPBACK, join(work, 'baseline.log')));
    const bare = await startTarget('bare node:http', [self, '--bare-server'], {}, join(work, 'bare.log'));
    targets.push(...servers, bare);

    const load = { connections, duration };
    for (const target of servers) for (const kind of kinds) await autocannon(target, '/predict/batch', { ...load, duration: 2, bodyFile: kind.file, headers: { 'content-type': kind.contentType } });
    const measured = new Map<string, Measured>();
    const entry = (target: Target, kind: BodyKind): Measured => {
      const key = `${target.name}|${kind.name}`;
      if (!measured.has(key)) measured.set(key, { runs: [], stages: {} });
      return measured.get(key)!;
    };
    const bareRuns: LoadResult[] = [];
    for (let round = 0; round < rounds; round++) {
      // Interleaved, so drift in the machine's load hits every build and body alike.
      for (const kind of kinds) for (const target of servers) await measure(target, kind, load, entry(target, kind));
      bareRuns.push(await autocannon(bare, '/predict/batch', { ...load, bodyFile: kinds[0]!.file }));
    }

    const floors = inProcessFloors(json, csv);
    const rows: BenchRow[] = [];
    for (const kind of kinds) {
      for (const target of servers) {
        const { runs, stages } = entry(target, kind);
        const top = best(runs);
        const cpu = median(runs.map((r) => r.cpuMicrosPerRequest));
        const staged = Object.values(stages).reduce((a, b) => a + b, 0);
        rows.push({
          metric: `${kind.name} batch ${BATCH_SIZE}: ${target.name}`, value: recordsPerSecond(top), unit: 'records/s',
          note: `target >= ${TARGET_RECORDS_PER_SECOND}; runs ${runs.map((r) => recordsPerSecond(r).toFixed(0)).join(', ')}; ${(cpu / 1000).toFixed(2)} ms CPU/batch; p99 ${top.p99Ms} ms`,
        });
        rows.push({
          metric: `${kind.name} batch ${BATCH_SIZE}: ${target.name}, records per CPU-second`, value: (1e6 * BATCH_SIZE) / cpu, unit: 'records/s',
          // Stage timings are wall time: on a contended core they include time spent waiting for it, and can exceed the CPU time.
          note: `stages (µs/batch, wall): ${Object.entries(stages).map(([s, v]) => `${s} ${v.toFixed(0)}`).join(', ')}; ${cpu.toFixed(0)} µs CPU/batch`
            + (staged < cpu ? `, of which HTTP and the rest ${(cpu - staged).toFixed(0)}` : ' (stage wall time above CPU time: the core was contended)'),
        });
      }
      if (servers.length > 1) {
        const [after, before] = servers.map((s) => entry(s, kind).runs);
        rows.push({
          metric: `${kind.name} batch ${BATCH_SIZE}: this build / baseline`, value: recordsPerSecond(best(after!)) / recordsPerSecond(best(before!)), unit: 'x',
          note: `CPU per batch baseline/this ${(median(before!.map((r) => r.cpuMicrosPerRequest)) / median(after!.map((r) => r.cpuMicrosPerRequest))).toFixed(2)}x`,
        });
      }
    }
    const bareBest = best(bareRuns);
    rows.push({ metric: `JSON batch ${BATCH_SIZE}: bare node:http (JSON.parse, answer)`, value: recordsPerSecond(bareBest), unit: 'records/s', note: `runs ${bareRuns.map((r) => recordsPerSecond(r).toFixed(0)).join(', ')}; ${(bareBest.cpuMicrosPerRequest / 1000).toFixed(2)} ms CPU/batch` });
    for (const [metric, micros] of Object.entries(floors)) rows.push({ metric: `in process: ${metric}`, value: micros, unit: 'µs CPU/batch', note: `${((1e6 * BATCH_SIZE) / micros).toFixed(0)} records per CPU-second` });
    const shed = [...measured.values()].flatMap((m) => m.runs).reduce((n, r) => n + r.non2xx, 0);
    const failures = [...measured.values()].flatMap((m) => m.runs).reduce((n, r) => n + r.errors, 0);
    rows.push({ metric: 'non-2xx responses', value: shed, unit: 'responses', note: '503 OVERLOADED when the core is starved: load shedding at work' });
    rows.push({ metric: 'connection errors/timeouts', value: failures, unit: 'requests', note: 'must be 0' });
    reportBench({
      scenario: 'http-batch',
      rows,
      extra: {
        command: `node dist/bench/http-batch.bench.js --duration ${duration} --rounds ${rounds} --connections ${connections}${values.baseline === undefined ? '' : ` --baseline ${values.baseline}`}`,
        pinning: pinningNote,
        bodies: { jsonBytes: Buffer.byteLength(json), csvBytes: Buffer.byteLength(csv) },
        runs: Object.fromEntries(measured),
        bare: bareRuns,
        floors,
      },
    });
  } finally {
    for (const target of targets) await stop(target);
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
