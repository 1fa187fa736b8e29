import type { ModelRuntime } from '../runtimes/model-runtime.js';
import type { ModelProvenance } from '../sources/model-provenance.js';
import { DataPlane } from './data-plane.js';
import { ServingMetrics } from './metrics/serving-metrics.js';
import { OverloadMonitor } from './overload-monitor.js';
import { ServingCore } from './serving-core.js';
import type { ServingState } from './serving-state.js';

export interface ServingSettings {
  /** DECISION_THRESHOLD; the model's own when undefined. */
  threshold: number | undefined;
  maxBatchSize: number;
  apiKeys: readonly string[];
  /** Mean event-loop delay above which data-plane calls are shed; 0 never sheds. */
  maxEventLoopDelayMs: number;
  /** Shared with the signal handler; a fresh one by default. */
  state?: ServingState;
  /** process_* and nodejs_* metrics (default true: a server). */
  processMetrics?: boolean;
  /** Where the model came from (the card and churn_model_info show it). */
  provenance?: ModelProvenance | undefined;
}

/**
 * The serving core over a runtime, warmed up: a model that cannot score stops here, before any transport
 * listens. The overload monitor starts with the first transport (start()) so start-up work is not taken for load.
 */
export async function openServingCore(runtime: ModelRuntime, settings: ServingSettings): Promise<ServingCore> {
  const metrics = new ServingMetrics({ processMetrics: settings.processMetrics ?? true });
  const plane = new DataPlane(runtime, { threshold: settings.threshold, maxBatchSize: settings.maxBatchSize, metrics, provenance: settings.provenance });
  await plane.warmUp();
  return new ServingCore(plane, {
    apiKeys: settings.apiKeys,
    metrics,
    overload: new OverloadMonitor(settings.maxEventLoopDelayMs),
    ...(settings.state === undefined ? {} : { state: settings.state }),
  });
}
