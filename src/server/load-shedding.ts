import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import { ChurnError } from '../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Answer 503 OVERLOADED instead of running this route while the event loop is overloaded. */
    shedUnderLoad?: boolean;
  }
}

// How often the mean event-loop delay is sampled; short enough that shedding starts and stops promptly.
const SAMPLE_INTERVAL_MS = 200;
// Start-up work (module loading, route compilation, warm-up) blocks the loop on purpose; the windows that
// saw it say nothing about load, so the check is armed only once they have passed.
const ARMING_DELAY_MS = 2 * SAMPLE_INTERVAL_MS;

/**
 * Sheds data-plane work with 503 OVERLOADED (and Retry-After, added by the error handler) while the mean
 * event-loop delay is above `maxEventLoopDelayMs`, instead of letting latency grow without limit.
 * Probes and /metrics are never shed: liveness must not fail under load, and readiness reports it.
 * Returns the check readiness uses.
 */
export function installLoadShedding(app: FastifyInstance, maxEventLoopDelayMs: number): () => boolean {
  let armedAt = Number.POSITIVE_INFINITY;
  const armed = (): boolean => Date.now() >= armedAt;
  app.addHook('onReady', (done) => {
    armedAt = Date.now() + ARMING_DELAY_MS;
    done();
  });
  app.register(underPressure, {
    maxEventLoopDelay: maxEventLoopDelayMs,
    sampleInterval: SAMPLE_INTERVAL_MS,
    pressureHandler: (request, _reply, _type, value) => {
      if (request.routeOptions.config.shedUnderLoad !== true || !armed()) return undefined;
      return Promise.reject(new ChurnError('OVERLOADED', `the server is overloaded (event-loop delay ${Math.round(value ?? 0)} ms); retry later`));
    },
  });
  return () => armed() && app.isUnderPressure();
}
