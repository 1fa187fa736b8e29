import type { Registry } from 'prom-client';
import { Counter } from 'prom-client';
import { PayloadLogger } from './payload-logger.js';
import { payloadSink, type CloudEventsMode, type SinkTarget } from './payload-sinks.js';

/** What PAYLOAD_LOG and its companion variables ask for (docs/monitoring.md). */
export interface PayloadLogSettings {
  target: SinkTarget;
  sampleRate: number;
  /** Record fields left out, and fields written as their HMAC-SHA256 (sha256 without a key). */
  drop: readonly string[];
  hash: readonly string[];
  hashKey: string | undefined;
  queueSize: number;
  cloudEventsMode: CloudEventsMode;
  /** Told of a failed write (once per batch), for the server's log. */
  onError?: (error: unknown, entries: number) => void;
}

/**
 * The payload logger the settings describe, counted on `registry` as churn_payload_log_entries_total{outcome}:
 * written, dropped (the queue was full) or failed (the sink refused them).
 */
export function openPayloadLogger(settings: PayloadLogSettings, registry: Registry): PayloadLogger {
  const sink = payloadSink(settings.target, settings.cloudEventsMode, { drop: settings.drop, hash: settings.hash, hashKey: settings.hashKey });
  const logger = new PayloadLogger(sink, {
    queueSize: settings.queueSize, sampleRate: settings.sampleRate, ...(settings.onError === undefined ? {} : { onError: settings.onError }),
  });
  new Counter({
    name: 'churn_payload_log_entries_total', help: 'Payload log entries, by outcome: written, dropped (queue full) or failed (the sink refused them).',
    labelNames: ['outcome'], registers: [registry],
    collect() {
      this.reset();
      for (const [outcome, count] of Object.entries(logger.counts)) this.inc({ outcome }, count);
    },
  });
  return logger;
}
