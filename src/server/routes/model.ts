import type { FastifyInstance } from 'fastify';
import { requireApiKey } from '../api-key-auth.js';
import type { PredictionService } from '../model-service.js';
import type { ApiSchemas } from '../openapi-schemas.js';

/** GET /model: the model card (behind the API key, like predictions). */
export function modelRoutes(service: PredictionService, schemas: ApiSchemas, apiKeys: readonly string[]) {
  return async (app: FastifyInstance): Promise<void> => {
    requireApiKey(app, apiKeys);
    app.get('/model', {
      config: { shedUnderLoad: true },
      schema: {
        summary: 'The model card: name, version, algorithm, feature schema, metrics, threshold, training data sha256',
        tags: ['model'],
        ...(apiKeys.length > 0 ? { security: [{ bearerAuth: [] }] } : {}),
        response: { 200: { type: 'object', additionalProperties: true }, '4xx': schemas.error, '5xx': schemas.error },
      },
    }, (_request, reply) => { reply.send(service.card); });
  };
}
