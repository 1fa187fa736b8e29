import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import type { ServerConfig } from '../config/server-config.js';
import type { FeatureSchema } from '../features/schema.js';
import { PayloadLogger } from '../payload-log/payload-logger.js';
import { payloadSink } from '../payload-log/payload-sinks.js';
import { CsvBatch, recordsOfCsv } from './batch-codecs.js';

/** The routes whose requests and responses are logged: the data plane's. */
const LOGGED_ROUTES = new Set(['/predict', '/predict/batch']);

const captured = Symbol('payloadLog');
type Captured = { [captured]?: { response: unknown } };

/**
 * Payload logging (PAYLOAD_LOG, off by default): a sampled copy of each /predict* request and its response,
 * handed to a bounded PayloadLogger that writes them in batches off the request path. Counted on /metrics as
 * churn_payload_log_entries_total{outcome="written"|"dropped"|"failed"}. Returns the logger (undefined when off).
 */
export function installPayloadLogging(
  app: FastifyInstance, config: ServerConfig, model: { name: string; version: string }, schema: FeatureSchema, registry: Registry,
): PayloadLogger | undefined {
  const target = config.payloadLog;
  if (target.kind === 'off') return undefined;
  const sink = payloadSink(target, config.payloadLogCloudEventsMode, {
    drop: config.payloadLogDropFields, hash: config.payloadLogHashFields, hashKey: config.payloadLogHashKey,
  });
  const logger = new PayloadLogger(sink, {
    queueSize: config.payloadLogQueueSize,
    onError: (error, entries) => app.log.warn({ err: error, entries, sink: target.kind }, 'payload log write failed'),
  });
  new Counter({
    name: 'churn_payload_log_entries_total', help: 'Payload log entries, by outcome: written, dropped (queue full) or failed (the sink refused them).',
    labelNames: ['outcome'], registers: [registry],
    collect() {
      this.reset();
      for (const [outcome, count] of Object.entries(logger.counts)) this.inc({ outcome }, count);
    },
  });
  const rate = config.payloadLogSampleRate;
  const logged = (request: FastifyRequest) => LOGGED_ROUTES.has(request.routeOptions.url ?? '');
  app.addHook('onRequest', (request, _reply, done) => {
    if (logged(request) && Math.random() < rate) (request as Captured)[captured] = { response: undefined };
    done();
  });
  app.addHook('preSerialization', (request, _reply, payload, done) => {
    const capture = (request as Captured)[captured];
    if (capture !== undefined) capture.response = payload;
    done(null, payload);
  });
  // Bodies sent as text (CSV answers) skip preSerialization: kept as the text sent.
  app.addHook('onSend', (request, _reply, payload, done) => {
    const capture = (request as Captured)[captured];
    if (capture !== undefined && capture.response === undefined && typeof payload === 'string') capture.response = payload;
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const capture = (request as Captured)[captured];
    if (capture !== undefined) {
      const body = request.body instanceof CsvBatch ? { records: safeCsvRecords(request.body, schema) } : request.body;
      logger.offer({
        time: new Date().toISOString(), requestId: request.id, model, endpoint: request.routeOptions.url ?? '',
        status: reply.statusCode, latencyMs: Math.round(reply.elapsedTime * 1000) / 1000, request: body, response: capture.response,
      });
    }
    done();
  });
  app.addHook('onClose', async () => { await logger.close(); });
  return logger;
}

/** The records of a CSV body; a body that cannot give them (its answer was a 422) is logged as it came. */
function safeCsvRecords(batch: CsvBatch, schema: FeatureSchema): unknown {
  try {
    return recordsOfCsv(batch, schema);
  } catch {
    return batch.csv.records;
  }
}
