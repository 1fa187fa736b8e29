import type { FastifyInstance } from 'fastify';
import { ChurnError } from '../../errors.js';
import type { PredictionService } from '../model-service.js';
import type { ServingState } from '../serving-state.js';

export interface ProbeDependencies {
  service: PredictionService;
  state: ServingState;
  overloaded: () => boolean;
}

const status = { type: 'object', properties: { status: { type: 'string' } } };

/** Why the instance should not take traffic now, or undefined when it should. */
function notReadyReason({ service, state, overloaded }: ProbeDependencies): ChurnError | undefined {
  if (state.draining) return new ChurnError('DRAINING', 'the server is shutting down');
  if (!service.ready) return new ChurnError('NOT_READY', 'the model is not loaded and warmed up yet');
  if (overloaded()) return new ChurnError('OVERLOADED', 'the server is overloaded');
  return undefined;
}

/**
 * Kubernetes probes. Liveness and readiness are different paths with different meanings: /livez only
 * says the process answers (no model or dependency checks, so load never gets a pod restarted);
 * /readyz says it should get traffic. /health is the seed's combined endpoint, kept for compatibility.
 */
export function probeRoutes(deps: ProbeDependencies) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/livez', { schema: { summary: 'Liveness: the process is up', tags: ['probes'], response: { 200: status } } },
      (_request, reply) => { reply.send({ status: 'alive' }); });

    app.get('/readyz', {
      schema: { summary: 'Readiness: model loaded and warmed, not draining, not overloaded', tags: ['probes'], response: { 200: status } },
    }, (_request, reply) => {
      const reason = notReadyReason(deps);
      if (reason !== undefined) throw reason;
      reply.send({ status: 'ready' });
    });

    app.get('/health', {
      schema: {
        summary: 'Seed-compatible health: 200 with the model when serving, 503 while starting or draining',
        tags: ['probes'],
        response: { 200: { type: 'object', properties: { status: { type: 'string' }, modelName: { type: 'string' }, modelVersion: { type: 'string' } } } },
      },
    }, (_request, reply) => {
      const { service, state } = deps;
      if (state.draining) throw new ChurnError('DRAINING', 'the server is shutting down');
      if (!service.ready) throw new ChurnError('NOT_READY', 'the model is not loaded and warmed up yet');
      reply.send({ status: 'ok', modelName: service.card.name, modelVersion: service.card.version });
    });
  };
}
