import type { ServerConfig } from '../config/server-config.js';
import { ChurnError } from '../errors.js';
import { DriftMonitor } from '../monitoring/drift-monitor.js';
import type { DriftWindowSpec } from '../monitoring/sliding-window.js';
import { profileSchemaProblems } from '../model/reference-profile.js';
import { openPayloadLogger, type PayloadLogSettings } from '../payload-log/open-payload-logger.js';
import type { PayloadLogger } from '../payload-log/payload-logger.js';
import type { ModelDescription, ModelRuntime } from '../runtimes/model-runtime.js';
import type { ModelProvenance } from '../sources/model-provenance.js';
import { DataPlane } from './data-plane.js';
import { ServingMetrics } from './metrics/serving-metrics.js';
import { OverloadMonitor } from './overload-monitor.js';
import { WorkQueue } from './work-queue.js';
import { ServingCore } from './serving-core.js';
import type { ServingState } from './serving-state.js';

export interface ServingSettings {
  /** DECISION_THRESHOLD; the model's own when undefined. */
  threshold: number | undefined;
  maxBatchSize: number;
  apiKeys: readonly string[];
  /** Longest a data-plane call should wait for the CPU (run queue, event-loop delay) before calls are shed; 0 never sheds. */
  maxEventLoopDelayMs: number;
  /** Shared with the signal handler; a fresh one by default. */
  state?: ServingState;
  /** process_* and nodejs_* metrics (default true: a server). */
  processMetrics?: boolean;
  /** Where the model came from (the card and churn_model_info show it). */
  provenance?: ModelProvenance | undefined;
  /** DRIFT_WINDOW: what drift is measured over, for models with a reference profile; off when absent. */
  driftWindow?: DriftWindowSpec | { kind: 'off' };
  /** PAYLOAD_LOG and its companions; no payload log when absent. */
  payloadLog?: PayloadLogSettings;
}

/** The serving settings a server's configuration asks for (start-server and tests build the core alike). */
export function servingSettings(config: ServerConfig, log?: (message: string, fields: Record<string, unknown>) => void): ServingSettings {
  const target = config.payloadLog;
  return {
    threshold: config.decisionThreshold, maxBatchSize: config.maxBatchSize, apiKeys: config.apiKeys,
    maxEventLoopDelayMs: config.maxEventLoopDelayMs, driftWindow: config.driftWindow,
    ...(target.kind === 'off' ? {} : {
      payloadLog: {
        target, sampleRate: config.payloadLogSampleRate, drop: config.payloadLogDropFields, hash: config.payloadLogHashFields,
        hashKey: config.payloadLogHashKey, queueSize: config.payloadLogQueueSize, cloudEventsMode: config.payloadLogCloudEventsMode,
        ...(log === undefined ? {} : { onError: (error: unknown, entries: number) => log('payload log write failed', { err: error, entries, sink: target.kind }) }),
      },
    }),
  };
}

/**
 * The drift monitor of a model: undefined when it has no reference profile (a version 1 artifact, a foreign
 * model nobody profiled) or drift monitoring is off. A profile that does not fit the model's inputs stops
 * start-up (ARTIFACT_SCHEMA_MISMATCH): it would measure the wrong columns.
 */
export function driftMonitorFor(description: ModelDescription, window: ServingSettings['driftWindow']): DriftMonitor | undefined {
  const profile = description.referenceProfile;
  if (profile === undefined || window === undefined || window.kind === 'off') return undefined;
  const mismatches = profileSchemaProblems(profile, description.schema);
  if (mismatches.length > 0) throw new ChurnError('ARTIFACT_SCHEMA_MISMATCH', `the reference profile does not fit the model's inputs: ${mismatches.slice(0, 3).join('; ')}`);
  return new DriftMonitor(description.schema, profile, { window });
}

/**
 * The serving core over a runtime, warmed up: a model that cannot score stops here, before any transport
 * listens. The overload monitor starts with the first transport (start()) so start-up work is not taken for load.
 * Every plane it builds (the first, and any planeFor() gives for a swap) monitors drift against its own model's
 * reference profile and writes to the one payload log.
 */
export async function openServingCore(runtime: ModelRuntime, settings: ServingSettings): Promise<ServingCore> {
  const metrics = new ServingMetrics({ processMetrics: settings.processMetrics ?? true });
  const payloadLog: PayloadLogger | undefined = settings.payloadLog === undefined ? undefined : openPayloadLogger(settings.payloadLog, metrics.registry);
  const planes = (model: ModelRuntime, provenance: ModelProvenance | undefined): DataPlane => new DataPlane(model, {
    threshold: settings.threshold, maxBatchSize: settings.maxBatchSize, metrics,
    drift: driftMonitorFor(model.description, settings.driftWindow), payloadLog, provenance,
  });
  try {
    const plane = planes(runtime, settings.provenance);
    await plane.warmUp();
    return new ServingCore(plane, {
      apiKeys: settings.apiKeys,
      metrics,
      overload: new OverloadMonitor(settings.maxEventLoopDelayMs),
      queue: new WorkQueue(settings.maxEventLoopDelayMs),
      ...(settings.state === undefined ? {} : { state: settings.state }),
      planes,
      ...(payloadLog === undefined ? {} : { payloadLog }),
    });
  } catch (error) {
    await payloadLog?.close();
    throw error;
  }
}
