import type { FastifyInstance } from 'fastify';
import type { ServingCore } from '../../serving/serving-core.js';
import type { ApiSchemas } from '../openapi-schemas.js';

/**
 * GET /model/drift: the drift of the served model's inputs and scores over the drift window, against its
 * reference profile (in the REST scope: behind the API key, shed under load, like /model). The divergences
 * are computed when asked for, never per request. A model without a profile, or DRIFT_WINDOW=off, answers
 * why there is nothing.
 */
export function driftRoutes(core: ServingCore, schemas: ApiSchemas) {
  return (app: FastifyInstance): void => {
    app.get('/model/drift', {
      schema: {
        summary: 'Drift of the inputs and scores over the drift window, against the training profile (PSI, Jensen-Shannon, shares per bin, refused values)',
        tags: ['model'],
        ...(core.authenticates ? { security: [{ bearerAuth: [] }] } : {}),
        response: { 200: { type: 'object', additionalProperties: true }, '4xx': schemas.error, '5xx': schemas.error },
      },
    }, (_request, reply) => {
      const plane = core.plane;
      const model = { name: plane.name, version: plane.version };
      const drift = plane.drift;
      if (drift !== undefined) {
        reply.send({ model, available: true, ...drift.snapshot() });
        return;
      }
      const reason = plane.card.referenceProfile === null
        ? 'the model has no reference profile: retrain it (artifact format version 2) or run churn-predictor profile'
        : 'drift monitoring is off (DRIFT_WINDOW=off)';
      reply.send({ model, available: false, reason });
    });
  };
}
