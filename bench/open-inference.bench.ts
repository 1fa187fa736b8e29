/**
 * The Open Inference Protocol's cost, in one run beside a bare node:http JSON server (the baseline every ratio is
 * taken against): single-row inference over V2 REST JSON, V2 gRPC (raw contents, as tritonclient.grpc sends it)
 * and /predict; and 1,000-row FP32 batches over gRPC raw contents and the REST binary data extension (target
 * >= 300,000 rows/s on one core). Servers run on core 0, load generators on core 1 (autocannon for HTTP,
 * bench/grpc-load.ts for gRPC). Beside throughput, the server's CPU time per call (the steadier measure on a
 * shared machine), and where that time goes: the data plane's own stage timings, read from the server's
 * /metrics (churn_inference_stage_seconds), the rest being transport (HTTP/2 or HTTP/1.1, framing, logging).
 *
 *   node dist/bench/open-inference.bench.js [--duration 6] [--connections 32] [--rounds 2]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseCsvRecords } from '../src/features/csv-records.js';
import { telcoChurnSchema } from '../src/features/telco-schema.js';
import { packageRoot } from '../src/foundation/package-files.js';
import { serveArguments } from '../src/foundation/server-launch.js';
import { bundledDataFile } from '../src/model/bundled-model.js';
import { openModel } from '../src/runtimes/open-model.js';
import { inferenceProtos } from '../src/server/grpc/protocol-buffers.js';
import { encodeBytesElements } from '../src/serving/codecs/tensor-bytes.js';
import { reportBench } from './bench-report.js';
import type { GrpcLoadResult } from './grpc-load.js';
import { autocannon, best, cpuSeconds, freePort, pinningNote, runGenerator, runBareServer, stageMeans, stageTotals, startTarget, stolenPercentSince, stolenTicks, stop, type LoadResult, type Target } from './load-targets.js';

const BATCH_ROWS = 1000;
const TARGET_ROWS_PER_SECOND = 300_000;
const numericModel = join(packageRoot, 'test', 'fixtures', 'xgboost', 'binary-logistic.model.json');
const ModelInferRequest = inferenceProtos.lookupType('inference.ModelInferRequest');
const INFER = '/inference.GRPCInferenceService/ModelInfer';

const round = (ms: number): number => Math.round(ms * 100) / 100;

/** One grpc-load run on core 1 against a gRPC port of `target`. */
function grpcLoad(target: Target, grpcPort: number, requestFile: string, options: { concurrency: number; duration: number }): Promise<LoadResult> {
  const cpuBefore = cpuSeconds(target.process.pid);
  const stolenBefore = stolenTicks();
  const args = [join(packageRoot, 'dist', 'bench', 'grpc-load.js'), '--target', `127.0.0.1:${grpcPort}`, '--method', INFER, '--request', requestFile,
    '--concurrency', String(options.concurrency), '--channels', String(Math.min(4, options.concurrency)), '--duration', String(options.duration)];
  return runGenerator<GrpcLoadResult>('grpc-load', args).then((r) => {
    const cpu = cpuSeconds(target.process.pid).total - cpuBefore.total;
    const failed = Object.values(r.failures).reduce((a, b) => a + b, 0);
    return {
      requestsPerSecond: (r.total + failed) / r.seconds, okPerSecond: r.total / r.seconds, cpuMicrosPerRequest: (cpu * 1e6) / (r.total + failed),
      p50Ms: round(r.p50Ms), p99Ms: round(r.p99Ms), non2xx: failed, errors: 0, total: r.total, generatorCpuMicrosPerRequest: r.generatorCpuMicrosPerCall,
      stolenPercent: stolenPercentSince(stolenBefore, r.seconds),
    };
  });
}

/** A ModelInferRequest as bytes. */
function grpcRequest(message: object): Buffer {
  return Buffer.from(ModelInferRequest.encode(message).finish());
}

/** A REST binary-extension body: the JSON header, then the bytes; and the header's length. */
function binaryBody(header: object, chunks: Buffer[]): { body: Buffer; headerLength: number } {
  const json = Buffer.from(JSON.stringify(header));
  return { body: Buffer.concat([json, ...chunks]), headerLength: json.length };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'bare-server': { type: 'boolean', default: false },
      duration: { type: 'string', default: '6' },
      connections: { type: 'string', default: '32' },
      rounds: { type: 'string', default: '2' },
    },
  });
  if (values['bare-server']) { runBareServer(); return; }
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  const rounds = Number(values.rounds);
  const work = mkdtempSync(join(tmpdir(), 'open-inference-bench-'));
  const file = (name: string, content: string | Buffer): string => {
    const path = join(work, name);
    writeFileSync(path, content);
    return path;
  };

  // Single row: one customer of the data file, as each protocol's clients send it.
  const record = parseCsvRecords(readFileSync(bundledDataFile, 'utf8'), telcoChurnSchema).records[0]!;
  const features = telcoChurnSchema.features;
  const single = file('single.json', JSON.stringify(record));
  const tensor = (name: string) => {
    const feature = features.find((f) => f.name === name)!;
    return feature.kind === 'categorical' ? 'BYTES' : feature.integer ? 'INT64' : 'FP64';
  };
  const v2Json = file('v2-single.json', JSON.stringify({ inputs: features.map((f) => ({ name: f.name, datatype: tensor(f.name), shape: [1], data: [record[f.name]] })) }));
  const rawOf = (name: string): Buffer => {
    const value = record[name];
    if (tensor(name) === 'BYTES') return encodeBytesElements([value as string]);
    if (tensor(name) === 'INT64') return Buffer.from(BigInt64Array.of(BigInt(value as number)).buffer);
    return Buffer.from(Float64Array.of(value as number).buffer);
  };
  const grpcSingle = file('grpc-single.bin', grpcRequest({
    model_name: 'churn', inputs: features.map((f) => ({ name: f.name, datatype: tensor(f.name), shape: [1] })), raw_input_contents: features.map((f) => rawOf(f.name)),
  }));

  // Batches: 1,000 rows of the all-numeric XGBoost model as one FP32 [1000, 6] tensor.
  const rows = Float32Array.from({ length: BATCH_ROWS * 6 }, (_, i) => {
    const r = Math.floor(i / 6);
    return [r % 72, 18 + (r % 100) * 0.95, r * 7.3, r % 9, [1, 12, 24][r % 3]!, 18 + (r % 60)][i % 6]!;
  });
  const matrix = Buffer.from(rows.buffer);
  const numericName = (await openModel(numericModel)).description.name;
  const grpcBatch = file('grpc-batch.bin', grpcRequest({ model_name: numericName, inputs: [{ name: 'input__0', datatype: 'FP32', shape: [BATCH_ROWS, 6] }], raw_input_contents: [matrix] }));
  const rest = binaryBody({ inputs: [{ name: 'input__0', datatype: 'FP32', shape: [BATCH_ROWS, 6], parameters: { binary_data_size: matrix.length } }], parameters: { binary_data_output: true } }, [matrix]);
  const restBatch = file('rest-batch.bin', rest.body);

  const self = join(packageRoot, 'dist', 'bench', 'open-inference.bench.js');
  const targets: Target[] = [];
  try {
    const bare = await startTarget('bare node:http', [self, '--bare-server'], {}, join(work, 'bare.log'));
    targets.push(bare);
    // As deployed: default configuration (one log line per request or call, metrics, shedding armed).
    const churnGrpc = await freePort();
    const churn = await startTarget('churn-predictor', serveArguments(), { PORT: '0', GRPC_PORT: String(churnGrpc), HOST: '127.0.0.1' }, join(work, 'churn.log'));
    targets.push(churn);
    const numericGrpc = await freePort();
    const numeric = await startTarget('churn-predictor (XGBoost, 6 numeric inputs)', serveArguments(), { PORT: '0', GRPC_PORT: String(numericGrpc), HOST: '127.0.0.1', MODEL_PATH: numericModel }, join(work, 'numeric.log'));
    targets.push(numeric);
    const octet = { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(rest.headerLength) };

    // Every request must be answered OK before anything is measured (a typo would otherwise measure 404s).
    const preflight = [
      await autocannon(churn, '/predict', { connections: 1, duration: 1, bodyFile: single }),
      await autocannon(churn, '/v2/models/churn/infer', { connections: 1, duration: 1, bodyFile: v2Json }),
      await grpcLoad(churn, churnGrpc, grpcSingle, { concurrency: 1, duration: 1 }),
      await grpcLoad(numeric, numericGrpc, grpcBatch, { concurrency: 1, duration: 1 }),
      await autocannon(numeric, `/v2/models/${numericName}/infer`, { connections: 1, duration: 1, bodyFile: restBatch, headers: octet }),
    ];
    if (preflight.some((r) => r.non2xx + r.errors > 0 || r.total === 0)) throw new Error(`a request is not answered OK: ${JSON.stringify(preflight)}`);
    // Warm-up: JIT and connections, every path once.
    await autocannon(bare, '/predict', { connections: 8, duration: 2, bodyFile: single });
    await autocannon(churn, '/predict', { connections: 8, duration: 2, bodyFile: single });
    await autocannon(churn, '/v2/models/churn/infer', { connections: 8, duration: 2, bodyFile: v2Json });
    await grpcLoad(churn, churnGrpc, grpcSingle, { concurrency: 8, duration: 2 });
    await grpcLoad(numeric, numericGrpc, grpcBatch, { concurrency: 2, duration: 2 });
    await autocannon(numeric, `/v2/models/${numericName}/infer`, { connections: 2, duration: 2, bodyFile: restBatch, headers: octet });

    const runs = { bare: [] as LoadResult[], predict: [] as LoadResult[], v2Json: [] as LoadResult[], grpc: [] as LoadResult[], grpcBatch: [] as LoadResult[], restBatch: [] as LoadResult[] };
    const stages: Record<string, Record<string, number>> = {};
    const measured = async (key: keyof typeof runs, target: Target, protocol: string, run: () => Promise<LoadResult>): Promise<void> => {
      const before = await stageTotals(target, protocol);
      const result = await run();
      runs[key].push(result);
      stages[key] = stageMeans(before, await stageTotals(target, protocol), result.total);
    };
    for (let round = 0; round < rounds; round++) {
      // Interleaved, so drift in the machine's load hits every side alike.
      runs.bare.push(await autocannon(bare, '/predict', { connections, duration, bodyFile: single }));
      await measured('predict', churn, 'rest', () => autocannon(churn, '/predict', { connections, duration, bodyFile: single }));
      await measured('v2Json', churn, 'v2', () => autocannon(churn, '/v2/models/churn/infer', { connections, duration, bodyFile: v2Json }));
      await measured('grpc', churn, 'grpc', () => grpcLoad(churn, churnGrpc, grpcSingle, { concurrency: connections, duration }));
      await measured('grpcBatch', numeric, 'grpc', () => grpcLoad(numeric, numericGrpc, grpcBatch, { concurrency: 4, duration }));
      await measured('restBatch', numeric, 'v2', () => autocannon(numeric, `/v2/models/${numericName}/infer`, { connections: 4, duration, bodyFile: restBatch, headers: octet }));
    }

    const b = best(runs.bare);
    const singleRow = (label: string, r: LoadResult) => [
      { metric: `single: ${label}`, value: r.requestsPerSecond, unit: 'req/s', note: `${r.cpuMicrosPerRequest.toFixed(0)} us CPU/req; p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms` },
      { metric: `single: ${label} / bare`, value: r.requestsPerSecond / b.requestsPerSecond, unit: 'x', note: `CPU/req bare/${label}: ${(b.cpuMicrosPerRequest / r.cpuMicrosPerRequest).toFixed(2)}x` },
    ];
    // Stage timings are wall-clock (a descheduled server counts the wait), CPU time is CPU time: shown side by side.
    const where = (key: string, r: LoadResult): string => {
      const parts = Object.entries(stages[key] ?? {}).map(([stage, us]) => `${stage} ${us.toFixed(1)}`).join(', ');
      const generator = r.generatorCpuMicrosPerRequest === undefined ? '' : `; load generator ${r.generatorCpuMicrosPerRequest.toFixed(0)} us CPU/call`;
      return `stages (wall, us/call): ${parts}; server ${r.cpuMicrosPerRequest.toFixed(0)} us CPU/call${generator}`;
    };
    const batchRow = (label: string, key: 'grpcBatch' | 'restBatch') => {
      const r = best(runs[key]);
      return [
        { metric: `batch ${BATCH_ROWS} FP32: ${label}`, value: r.okPerSecond * BATCH_ROWS, unit: 'rows/s', note: `target >= ${TARGET_ROWS_PER_SECOND}; p99 ${r.p99Ms} ms; 4 in flight` },
        { metric: `batch ${BATCH_ROWS} FP32: ${label}, per CPU-second`, value: (1e6 * BATCH_ROWS) / r.cpuMicrosPerRequest, unit: 'rows/s', note: where(key, r) },
      ];
    };
    const singleWhere = (label: string, key: 'predict' | 'v2Json' | 'grpc') => ({ metric: `single: ${label}, where the time goes`, value: best(runs[key]).cpuMicrosPerRequest, unit: 'us CPU/req', note: where(key, best(runs[key])) });
    const all = [...runs.predict, ...runs.v2Json, ...runs.grpc, ...runs.grpcBatch, ...runs.restBatch];
    reportBench({
      scenario: 'open-inference',
      rows: [
        { metric: 'single: bare node:http JSON', value: b.requestsPerSecond, unit: 'req/s', note: `${b.cpuMicrosPerRequest.toFixed(0)} us CPU/req; the baseline; ${connections} connections` },
        ...singleRow('/predict', best(runs.predict)),
        ...singleRow('V2 REST JSON', best(runs.v2Json)),
        ...singleRow('V2 gRPC raw', best(runs.grpc)),
        singleWhere('/predict', 'predict'),
        singleWhere('V2 REST JSON', 'v2Json'),
        singleWhere('V2 gRPC raw', 'grpc'),
        ...batchRow('gRPC raw contents', 'grpcBatch'),
        ...batchRow('REST binary extension', 'restBatch'),
        { metric: 'non-OK answers', value: all.reduce((n, r) => n + r.non2xx + r.errors, 0), unit: 'calls', note: '503/UNAVAILABLE when shed on a starved core; must otherwise be 0' },
      ],
      extra: {
        command: `node dist/bench/open-inference.bench.js --duration ${duration} --connections ${connections} --rounds ${rounds}`,
        pinning: pinningNote,
        runs,
        stagesMicrosPerCall: stages,
      },
    });
  } finally {
    for (const target of targets) await stop(target);
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
