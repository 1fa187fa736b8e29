/**
 * What the request log costs per /predict request, in one process (CPU time, steady on a shared machine): the
 * real app (buildApp over the bundled model) answering injected requests, with log lines going where the server
 * sends them (pino's asynchronous destination, 4 KiB chunks), here to /dev/null. Configurations, interleaved:
 * the default (LOG_LEVEL=info, 1% sampled, summary line), every request logged (REQUEST_LOG_SAMPLE_RATE=1), and
 * LOG_LEVEL=warn. The differences are the log's cost; the absolute figures include inject()'s own.
 *
 *   node dist/bench/request-log.bench.js [--requests 20000] [--rounds 3]
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadServerConfig } from '../src/config/server-config.js';
import { buildApp } from '../src/server/app.js';
import { NativeRuntime } from '../src/runtimes/native-runtime.js';
import { loadModelArtifact } from '../src/model/artifact-loader.js';
import { bundledModelDirectory } from '../src/model/bundled-model.js';
import { openServingCore } from '../src/serving/open-serving-core.js';
import { median, reportBench } from './bench-report.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '3' } } });
const requests = Number(values.requests);
const rounds = Number(values.rounds);
const model = loadModelArtifact(bundledModelDirectory);
const record = JSON.stringify({
  customerID: '7590-VHVEG', gender: 'Female', SeniorCitizen: 0, Partner: 'Yes', Dependents: 'No', tenure: 1, PhoneService: 'No',
  MultipleLines: 'No phone service', InternetService: 'DSL', OnlineSecurity: 'No', OnlineBackup: 'Yes', DeviceProtection: 'No',
  TechSupport: 'No', StreamingTV: 'No', StreamingMovies: 'No', Contract: 'Month-to-month', PaperlessBilling: 'Yes',
  PaymentMethod: 'Electronic check', MonthlyCharges: 29.85, TotalCharges: 29.85,
});

const configurations: Record<string, Record<string, string>> = {
  'default (info, 1% sampled)': {},
  'every request logged': { REQUEST_LOG_SAMPLE_RATE: '1' },
  'LOG_LEVEL=warn': { LOG_LEVEL: 'warn' },
};

async function app(env: Record<string, string>) {
  const config = loadServerConfig({ MAX_EVENT_LOOP_DELAY_MS: '0', ...env });
  const core = await openServingCore(new NativeRuntime(model), {
    threshold: config.decisionThreshold, maxBatchSize: config.maxBatchSize, apiKeys: config.apiKeys, maxEventLoopDelayMs: 0,
  });
  const destination = pino.destination({ dest: '/dev/null', sync: false, minLength: 4096 });
  const built = buildApp(config, core, { logStream: { write: (line: string) => { destination.write(line); } } });
  await built.ready();
  return built;
}

const apps = Object.fromEntries(await Promise.all(Object.entries(configurations).map(async ([name, env]) => [name, await app(env)] as const)));
const request = { method: 'POST' as const, url: '/predict', headers: { 'content-type': 'application/json' }, payload: record };
const cpu: Record<string, number[]> = Object.fromEntries(Object.keys(apps).map((name) => [name, []]));
for (const built of Object.values(apps)) for (let i = 0; i < 2000; i++) await built.inject(request); // JIT warm-up
for (let round = 0; round < rounds; round++) {
  // Rotated each round, so no configuration always runs after the others' garbage.
  const entries = Object.entries(apps);
  for (const [name, built] of [...entries.slice(round % entries.length), ...entries.slice(0, round % entries.length)]) {
    const before = process.cpuUsage();
    for (let i = 0; i < requests; i++) await built.inject(request);
    const used = process.cpuUsage(before);
    cpu[name]!.push((used.user + used.system) / requests);
  }
}
for (const built of Object.values(apps)) await built.close();
const us = (name: string) => median(cpu[name]!);
const base = us('default (info, 1% sampled)');
reportBench({
  scenario: 'request-log',
  rows: [
    ...Object.keys(apps).map((name) => ({ metric: `CPU per injected /predict: ${name}`, value: us(name), unit: 'us', note: `median of ${rounds} rounds of ${requests}` })),
    { metric: 'a line for every request costs', value: us('every request logged') - base, unit: 'us/request', note: 'over the default' },
    { metric: 'the default costs over LOG_LEVEL=warn', value: base - us('LOG_LEVEL=warn'), unit: 'us/request', note: 'sampled lines, the summary, the sketch' },
  ],
  extra: { command: `node dist/bench/request-log.bench.js --requests ${requests} --rounds ${rounds}`, cpu },
});
