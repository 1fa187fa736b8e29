/**
 * A closed-loop gRPC load generator (autocannon has no gRPC): `concurrency` calls always in flight over `channels`
 * HTTP/2 connections, each sending the same pre-encoded request bytes and counting the answers without decoding
 * them, so the generator spends as little as it can per call. Prints one JSON line with the totals.
 *
 *   node dist/bench/grpc-load.js --target 127.0.0.1:8081 --method /inference.GRPCInferenceService/ModelInfer \
 *     --request request.bin [--concurrency 32] [--channels 4] [--duration 8]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Client, credentials, status, type ServiceError } from '@grpc/grpc-js';

export interface GrpcLoadResult {
  total: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  /** Calls that did not end OK, by status code name. */
  failures: Record<string, number>;
  /** This generator's own CPU time per call: when it nears the server's, the generator sets the pace. */
  generatorCpuMicrosPerCall: number;
}

const { values } = parseArgs({
  options: {
    target: { type: 'string' },
    method: { type: 'string' },
    request: { type: 'string' },
    concurrency: { type: 'string', default: '32' },
    channels: { type: 'string', default: '4' },
    duration: { type: 'string', default: '8' },
  },
});
const request = readFileSync(values.request!);
const concurrency = Number(values.concurrency);
const durationMs = Number(values.duration) * 1000;
// One subchannel per client, so the channels really are separate connections.
const clients = Array.from({ length: Number(values.channels) }, () => new Client(values.target!, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }));
const identity = (bytes: Buffer): Buffer => bytes;
const names = Object.fromEntries(Object.entries(status).filter(([, v]) => typeof v === 'number').map(([k, v]) => [v, k])) as Record<number, string>;

const latencies: number[] = [];
const failures: Record<string, number> = {};
let stopAt = 0;
let started = 0;

function call(client: Client): Promise<void> {
  return new Promise((resolve) => {
    const at = performance.now();
    client.makeUnaryRequest(values.method!, identity, identity, request, (error: ServiceError | null) => {
      if (error === null) latencies.push(performance.now() - at);
      else failures[names[error.code] ?? String(error.code)] = (failures[names[error.code] ?? String(error.code)] ?? 0) + 1;
      resolve();
    });
  });
}

async function worker(index: number): Promise<void> {
  const client = clients[index % clients.length]!;
  while (performance.now() < stopAt) await call(client);
}

// Connect every channel (and warm the path) before the clock starts.
await Promise.all(clients.map((client) => call(client)));
latencies.length = 0;
const cpuBefore = process.cpuUsage();
started = performance.now();
stopAt = started + durationMs;
await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
for (const client of clients) client.close();
const sorted = Float64Array.from(latencies).sort();
const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
const calls = latencies.length + Object.values(failures).reduce((a, b) => a + b, 0);
const result: GrpcLoadResult = { total: latencies.length, seconds, p50Ms: at(0.5), p99Ms: at(0.99), failures, generatorCpuMicrosPerCall: (cpu.user + cpu.system) / calls };
process.stdout.write(`${JSON.stringify(result)}\n`);
