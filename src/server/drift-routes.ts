import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { ServerConfig } from '../config/server-config.js';
import { registerDriftMetrics } from '../monitoring/drift-metrics.js';
import type { DriftMonitor } from '../monitoring/drift-monitor.js';
import { requireApiKey } from './api-key-auth.js';

export interface DriftRouteOptions {
  /** Undefined when the model has no reference profile or DRIFT_WINDOW=off: the route says why, and no drift metric exists. */
  drift: DriftMonitor | undefined;
  window: ServerConfig['driftWindow'];
  model: { name: string; version: string };
  registry: Registry;
  apiKeys: readonly string[];
}

/**
 * GET /model/drift (JSON; behind the API key, like /model) and the drift metrics on /metrics. Both read a
 * snapshot of the monitor: the divergences are computed when asked for, never per request.
 */
export function driftRoutes({ drift, window, model, registry, apiKeys }: DriftRouteOptions) {
  const unavailable = window.kind === 'off'
    ? 'drift monitoring is off (DRIFT_WINDOW=off)'
    : 'the model has no reference profile: retrain it (format version 2) or run churn-predictor profile';
  if (drift !== undefined) registerDriftMetrics(registry, drift);
  return async (app: FastifyInstance): Promise<void> => {
    requireApiKey(app, apiKeys);
    app.get('/model/drift', {
      config: { shedUnderLoad: true },
      schema: {
        summary: 'Drift of the inputs and scores over the drift window, against the training profile (PSI, Jensen-Shannon, shares per bin)',
        tags: ['model'],
        ...(apiKeys.length > 0 ? { security: [{ bearerAuth: [] }] } : {}),
        response: { 200: { type: 'object', additionalProperties: true } },
      },
    }, (_request, reply) => {
      reply.send(drift === undefined
        ? { model, available: false, reason: unavailable }
        : { model, available: true, ...drift.snapshot() });
    });
  };
}
