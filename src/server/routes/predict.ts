import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import { ChurnError } from '../../errors.js';
import { requireApiKey } from '../api-key-auth.js';
import { batchCsv, CsvBatch, recordsOfCsv, recordsOfJson, wantsCsv } from '../batch-codecs.js';
import type { ModelService } from '../model-service.js';
import type { ApiSchemas } from '../openapi-schemas.js';

export interface PredictDependencies {
  service: ModelService;
  schemas: ApiSchemas;
  apiKeys: readonly string[];
}

// Body schemas document the API; the fields are validated by the model's record encoder, which does it in
// the same pass as encoding and reports every failing field in the catalogue's shape. A second full
// JSON-schema pass per request would double the work on the hot path.
const documentationOnly: FastifySchemaCompiler<unknown> = () => () => true;

function noBody(): ChurnError {
  return new ChurnError('UNSUPPORTED_MEDIA_TYPE', 'send a JSON body with Content-Type: application/json');
}

/** POST /predict and POST /predict/batch: thin adapters over the model service. */
export function predictRoutes({ service, schemas, apiKeys }: PredictDependencies) {
  return async (app: FastifyInstance): Promise<void> => {
    requireApiKey(app, apiKeys);
    // Only JSON here (text/plain would otherwise be accepted as a string and fail later as a bad record).
    app.removeContentTypeParser('text/plain');
    const errors = { '4xx': schemas.error, '5xx': schemas.error };
    const security = apiKeys.length > 0 ? { security: [{ bearerAuth: [] }] } : {};

    app.post('/predict', {
      config: { shedUnderLoad: true },
      validatorCompiler: documentationOnly,
      schema: {
        summary: 'Score one customer',
        tags: ['predictions'],
        ...security,
        body: { ...schemas.record, example: schemas.recordExample },
        response: { 200: schemas.prediction, ...errors },
      },
    }, (request, reply) => {
      if (request.body === undefined) throw noBody();
      reply.send(service.predict(request.body));
    });

    await app.register(async (batch) => {
      const featureSchema = service.schema;
      batch.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, text, done) => {
        try {
          done(null, CsvBatch.parse(text as string, featureSchema));
        } catch (error) {
          done(error as Error, undefined);
        }
      });
      batch.post('/predict/batch', {
        config: { shedUnderLoad: true },
        validatorCompiler: documentationOnly,
        schema: {
          summary: `Score up to ${service.maxBatchSize} customers; a bad record gets its own error entry`,
          description: 'Send JSON {"records": [...]} or text/csv with a header row. Ask for CSV back with Accept: text/csv.',
          tags: ['predictions'],
          ...security,
          body: { content: { 'application/json': { schema: schemas.batchRequest }, 'text/csv': { schema: schemas.csvBatch } } },
          response: {
            200: {
              description: 'Results in request order',
              content: {
                'application/json': { schema: schemas.batchResponse },
                'text/csv': { schema: { type: 'string', description: 'customerID,churnProbability,churn,error' } },
              },
            },
            ...errors,
          },
        },
      }, (request, reply) => {
        const { body } = request;
        if (body === undefined) throw noBody();
        const outcome = body instanceof CsvBatch
          ? service.predictBatch(recordsOfCsv(body, featureSchema), '/rows')
          : service.predictBatch(recordsOfJson(body), '/records');
        if (wantsCsv(request.headers.accept)) reply.type('text/csv; charset=utf-8').send(batchCsv(outcome));
        else reply.send(outcome);
      });
    });
  };
}
