import type { FastifyInstance } from 'fastify';
import { ChurnError } from '../../errors.js';
import type { ServingCore } from '../../serving/serving-core.js';

const status = { type: 'object', properties: { status: { type: 'string' } } };

/**
 * Kubernetes probes. Liveness and readiness are different paths with different meanings: /livez only
 * says the process answers (no model or dependency checks, so load never gets a pod restarted);
 * /readyz says it should get new traffic. /health is the seed's combined endpoint, kept for compatibility.
 */
export function probeRoutes(core: ServingCore) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/livez', { schema: { summary: 'Liveness: the process is up', tags: ['probes'], response: { 200: status } } },
      (_request, reply) => { reply.send({ status: 'alive' }); });

    app.get('/readyz', {
      schema: { summary: 'Readiness: model loaded and warmed, not draining, not overloaded', tags: ['probes'], response: { 200: status } },
    }, (_request, reply) => {
      const reason = core.notReadyReason();
      if (reason !== undefined) throw reason;
      reply.send({ status: 'ready' });
    });

    app.get('/health', {
      schema: {
        summary: 'Seed-compatible health: 200 with the model when serving, 503 while starting or draining',
        tags: ['probes'],
        response: { 200: { type: 'object', properties: { status: { type: 'string' }, modelName: { type: 'string' }, modelVersion: { type: 'string' } } } },
      },
    }, (_request, reply) => { reply.send(healthAnswer(core)); });
  };
}

/**
 * The seed's combined health answer, which MLflow's GET /ping and /health also give (their clients read the status):
 * the model when serving; DRAINING or NOT_READY (503) otherwise.
 */
export function healthAnswer(core: ServingCore): { status: 'ok'; modelName: string; modelVersion: string } {
  if (core.state.draining) throw new ChurnError('DRAINING', 'the server is shutting down');
  if (!core.serving) throw new ChurnError('NOT_READY', 'the model is not loaded and warmed up yet');
  return { status: 'ok', modelName: core.plane.name, modelVersion: core.plane.version };
}
