import { isChurnError } from '../errors.js';
import type { DataPlane } from './data-plane.js';
import type { ServingCore } from './serving-core.js';

export type RefreshOutcome = 'unchanged' | 'swapped' | 'failed' | 'poll_failed';

export interface FollowerOptions {
  /** Time between the end of one poll and the start of the next (MODEL_REFRESH_SECONDS). */
  intervalMs: number;
  /** The version the followed reference names now: one cheap call (an alias lookup), no download. */
  currentVersion(): Promise<string>;
  /** The version a data plane serves, in the terms currentVersion() answers. */
  versionOf(plane: DataPlane): string | undefined;
  /** Loads the version the reference names now and warms it up, beside the model being served. */
  open(): Promise<DataPlane>;
  log: {
    info(fields: Record<string, unknown>, message: string): void;
    warn(fields: Record<string, unknown>, message: string): void;
  };
}

/**
 * Follows a moving model reference (an MLflow alias): polls it, and when it names another version, loads and warms
 * that version beside the one being served, then swaps it in atomically (core.swap). No request fails or waits and
 * readiness stays up: requests read core.plane once, so those already running finish on the old model, whose
 * runtime is closed once nothing waits on it any more. A version that fails to load or warm up is not served; the
 * old model goes on, the log and churn_model_refresh_total{outcome="failed"} say so, and the next poll tries again.
 */
export class ModelFollower {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<RefreshOutcome> | undefined;
  private stopped = false;

  constructor(private readonly core: ServingCore, private readonly options: FollowerOptions) {}

  /** Polls every intervalMs from now until stop(). */
  start(): void {
    this.stopped = false;
    this.schedule();
  }

  /** Stops polling; a refresh under way finishes without swapping (its runtime is closed). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One poll: asks the reference, and refreshes when it moved. Never throws. */
  poll(): Promise<RefreshOutcome> {
    this.running ??= this.refresh().finally(() => { this.running = undefined; });
    return this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => { void this.poll().then(() => this.schedule()); }, this.options.intervalMs);
    // Following must not keep a stopping process alive.
    this.timer.unref();
  }

  private async refresh(): Promise<RefreshOutcome> {
    const { core, options } = this;
    if (core.state.draining) return 'unchanged';
    const served = options.versionOf(core.plane);
    let current: string;
    try {
      current = await options.currentVersion();
    } catch (error) {
      options.log.warn({ error: describe(error) }, 'model refresh: cannot read the followed alias; the served model stays');
      return this.counted('poll_failed');
    }
    if (current === served) return this.counted('unchanged');
    options.log.info({ from: served, to: current }, 'model refresh: the alias moved, loading the new version beside the served one');
    const started = performance.now();
    let plane: DataPlane;
    try {
      plane = await options.open();
    } catch (error) {
      options.log.warn({ from: served, to: current, error: describe(error) }, 'model refresh failed: the new version did not load; the served model stays');
      return this.counted('failed');
    }
    if (this.stopped || core.state.draining) {
      await plane.runtime.close();
      return 'unchanged';
    }
    const old = core.plane;
    core.swap(plane);
    options.log.info({ from: served, to: options.versionOf(plane), loadMs: Math.round(performance.now() - started) }, 'model refreshed: the new version serves');
    // Requests that started on the old model finish on it; then its native resources go.
    void old.whenIdle().then(() => old.runtime.close()).catch((error: unknown) => {
      options.log.warn({ error: describe(error) }, 'model refresh: closing the previous runtime failed');
    });
    return this.counted('swapped');
  }

  private counted(outcome: RefreshOutcome): RefreshOutcome {
    this.core.metrics.refreshed(outcome);
    return outcome;
  }
}

function describe(error: unknown): { code?: string; message: string } {
  return isChurnError(error) ? { code: error.code, message: error.message } : { message: (error as Error).message ?? String(error) };
}
