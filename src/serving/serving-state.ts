/**
 * The process's serving state: whether it is shutting down, and how many requests are in flight.
 * Readiness combines `draining` with the model's readiness and the overload check; shutdown waits for
 * `whenIdle()`; the in-flight gauge reads `inFlight`. One counter serves all three.
 */
export class ServingState {
  private drainingSince: number | undefined;
  private requests = 0;
  private idleWaiters: (() => void)[] = [];

  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  beginDrain(now = Date.now()): void {
    this.drainingSince ??= now;
  }

  /** Requests whose headers have arrived and whose response has not been sent (or aborted) yet. */
  get inFlight(): number {
    return this.requests;
  }

  requestStarted(): void {
    this.requests++;
  }

  requestFinished(): void {
    this.requests--;
    if (this.requests === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** Resolves when no request is in flight (at once if none is). */
  whenIdle(): Promise<void> {
    if (this.requests === 0) return Promise.resolve();
    return new Promise((resolve) => { this.idleWaiters.push(resolve); });
  }
}
