import type { FastifyInstance } from 'fastify';
import type { ServingCore } from '../../serving/serving-core.js';
import type { ApiSchemas } from '../openapi-schemas.js';

/** GET /model: the model card (in the REST scope: behind the API key, shed under load, like predictions). */
export function modelRoutes(core: ServingCore, schemas: ApiSchemas) {
  return (app: FastifyInstance): void => {
    app.get('/model', {
      schema: {
        summary: 'The model card: name, version, format, inputs and outputs, threshold; for the native model its algorithm, metrics and training data',
        tags: ['model'],
        ...(core.authenticates ? { security: [{ bearerAuth: [] }] } : {}),
        response: { 200: { type: 'object', additionalProperties: true }, '4xx': schemas.error, '5xx': schemas.error },
      },
    }, (_request, reply) => { reply.send(core.plane.card); });
  };
}
