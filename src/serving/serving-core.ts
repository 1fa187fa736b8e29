import { ChurnError } from '../errors.js';
import type { PayloadLogger } from '../payload-log/payload-logger.js';
import type { ModelRuntime } from '../runtimes/model-runtime.js';
import type { ModelProvenance } from '../sources/model-provenance.js';
import { apiKeyVerifier } from './api-key-verifier.js';
import type { DataPlane } from './data-plane.js';
import { registerDriftMetrics } from './metrics/drift-metrics.js';
import type { ServingMetrics } from './metrics/serving-metrics.js';
import type { OverloadSignal } from './overload-monitor.js';
import { protocols, type Protocol } from './protocol.js';
import { ServingState } from './serving-state.js';
import { WorkQueue } from './work-queue.js';

export interface ServingCoreOptions {
  /** Bearer keys every data-plane protocol requires; none means no authentication. */
  apiKeys: readonly string[];
  metrics: ServingMetrics;
  /** When data-plane work is shed; never when absent. */
  overload?: OverloadSignal;
  /** The run queue admitted calls wait in; one that never expires calls nor sheds by default. */
  queue?: WorkQueue;
  /** Shared with the signal handler, which flips it to draining; a fresh one by default. */
  state?: ServingState;
  /**
   * Builds a data plane for another model as this core's are built (threshold, limits, metrics, drift monitoring
   * of its own reference profile, the shared payload log): what planeFor() answers. openServingCore gives one.
   */
  planes?: (runtime: ModelRuntime, provenance: ModelProvenance | undefined) => DataPlane;
  /** The payload log every plane writes to; flushed and closed with the core. */
  payloadLog?: PayloadLogger;
}

/** OVERLOADED for a call refused at the head of the run queue, having waited `waitedMs` past the bound. */
export function expiredCall(waitedMs: number): ChurnError {
  return new ChurnError('OVERLOADED', `the call waited ${Math.round(waitedMs)} ms for the server; retry later`);
}

const NEVER_OVERLOADED: OverloadSignal = { overloaded: false, delayMs: 0 };

/**
 * The one place every protocol's lifecycle, limits, auth and request metrics come from, so REST, V2 (REST and
 * gRPC) and the MLflow protocol behave alike by construction. Three states, three questions:
 * - live: the process answers (liveness; never fails for load, or the pod would be restarted);
 * - serving: requests are accepted — the model is warm; true through the drain after SIGTERM, when requests
 *   that still arrive must be answered;
 * - ready: the Service should send new traffic — serving, not draining, not overloaded.
 */
export class ServingCore {
  readonly state: ServingState;
  readonly metrics: ServingMetrics;
  private current: DataPlane;
  private readonly verify: ((authorization: string | undefined) => boolean) | undefined;
  private readonly overload: OverloadSignal;
  /** Every admitted call's work runs through it (run()), so a backlog is seen and shed before it grows. */
  readonly queue: WorkQueue;
  private readonly calls: Record<Protocol, number>;
  private readonly planes: ((runtime: ModelRuntime, provenance: ModelProvenance | undefined) => DataPlane) | undefined;
  private readonly payloadLog: PayloadLogger | undefined;
  private driftExported = false;

  constructor(plane: DataPlane, options: ServingCoreOptions) {
    this.current = plane;
    this.state = options.state ?? new ServingState();
    this.metrics = options.metrics;
    this.verify = options.apiKeys.length > 0 ? apiKeyVerifier(options.apiKeys) : undefined;
    this.overload = options.overload ?? NEVER_OVERLOADED;
    this.queue = options.queue ?? new WorkQueue(0);
    this.metrics.runQueue(this.queue);
    this.calls = Object.fromEntries(protocols.map((p) => [p, 0])) as Record<Protocol, number>;
    for (const protocol of protocols) this.metrics.inFlight(protocol, () => this.calls[protocol]);
    this.metrics.serving(plane.card);
    this.planes = options.planes;
    this.payloadLog = options.payloadLog;
    this.exportDrift();
  }

  /** The data plane of the model being served now; read it per request (a refresh may swap it). */
  get plane(): DataPlane {
    return this.current;
  }

  /**
   * A data plane for another model, built as this core's own (threshold, batch limit, metrics; a drift monitor
   * over the model's own reference profile; the same payload log): warm it up, then swap() to it.
   */
  planeFor(runtime: ModelRuntime, provenance?: ModelProvenance): DataPlane {
    if (this.planes === undefined) throw new Error('this core was built without a plane factory (openServingCore gives one)');
    return this.planes(runtime, provenance);
  }

  /** Serves another model from now on: requests already running finish on the one they started with. */
  swap(plane: DataPlane): void {
    if (!plane.ready) throw new Error('swap() takes a warmed-up data plane');
    this.current = plane;
    this.metrics.serving(plane.card);
    this.exportDrift();
  }

  /**
   * Registers the drift series once a served plane monitors drift (none otherwise, not even empty families).
   * They read the served plane's monitor at each scrape: a swapped-in model is measured against its own profile.
   */
  private exportDrift(): void {
    if (this.driftExported || this.current.drift === undefined) return;
    registerDriftMetrics(this.metrics.registry, () => this.current.drift);
    this.driftExported = true;
  }

  /** Starts watching for overload (each transport calls it once it is ready; the first call counts). */
  start(): void {
    this.overload.start?.();
  }

  /** Stops the overload monitor's timer, writes what the payload log still holds, and releases the model's native resources. */
  async close(): Promise<void> {
    this.overload.stop?.();
    await this.payloadLog?.close();
    await this.current.runtime.close();
  }

  get authenticates(): boolean {
    return this.verify !== undefined;
  }

  get live(): boolean {
    return true;
  }

  get serving(): boolean {
    return this.current.ready;
  }

  get ready(): boolean {
    return this.notReadyReason() === undefined;
  }

  get overloadDelayMs(): number {
    return this.overload.delayMs;
  }

  /** Why the instance should not get new traffic now, or undefined when it should. */
  notReadyReason(): ChurnError | undefined {
    if (this.state.draining) return new ChurnError('DRAINING', 'the server is shutting down');
    if (!this.serving) return new ChurnError('NOT_READY', 'the model is not loaded and warmed up yet');
    if (this.overload.overloaded || this.queue.saturated) return new ChurnError('OVERLOADED', 'the server is overloaded');
    return undefined;
  }

  /** UNAUTHORIZED unless the credentials carry one of the keys (always passes without keys). */
  authorize(authorization: string | undefined): ChurnError | undefined {
    if (this.verify === undefined || this.verify(authorization)) return undefined;
    return new ChurnError('UNAUTHORIZED', 'a valid API key is required: Authorization: Bearer <key>');
  }

  /**
   * Admits a data-plane call before any work is done for it: credentials first, then whether the model serves,
   * then overload (shed with OVERLOADED, which carries Retry-After / retry info): refused when the run queue
   * would keep the call waiting past the bound, or by the event-loop signal's share. Draining does not refuse:
   * requests that reach a draining instance are served.
   */
  admit(authorization: string | undefined): ChurnError | undefined {
    const denied = this.authorize(authorization);
    if (denied !== undefined) return denied;
    if (!this.serving) return new ChurnError('NOT_READY', 'the model is not loaded and warmed up yet');
    if (this.queue.saturated) {
      return new ChurnError('OVERLOADED', `the server is overloaded (${this.queue.length} calls waiting, about ${Math.round(this.queue.expectedWaitMs)} ms); retry later`);
    }
    if (this.overload.shed === undefined ? this.overload.overloaded : this.overload.shed()) {
      return new ChurnError('OVERLOADED', `the server is overloaded (event-loop delay ${Math.round(this.overload.delayMs)} ms); retry later`);
    }
    return undefined;
  }

  /**
   * Runs an admitted call's work when the CPU comes to it (at once while the server keeps up), in arrival
   * order across protocols; `expired` is called instead when it waited past 1.5 times the bound.
   */
  run(work: () => void, expired: (error: ChurnError) => void): void {
    this.queue.submit({
      run: work,
      expire: (waitedMs) => expired(expiredCall(waitedMs)),
    });
  }

  /** A data-plane call of `protocol` began (counted in flight until callEnded). */
  callStarted(protocol: Protocol): void {
    this.calls[protocol]++;
  }

  /** A data-plane call ended with `code`: OK, or the catalogue code it failed with. */
  callEnded(protocol: Protocol, code: string): void {
    this.calls[protocol]--;
    this.metrics.answered(protocol, code);
  }
}
