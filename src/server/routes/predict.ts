import type { FastifyInstance, FastifyReply, FastifySchemaCompiler } from 'fastify';
import { ChurnError } from '../../errors.js';
import { requireApiKey } from '../api-key-auth.js';
import { batchCsv, CsvBatch, recordsOfCsv, recordsOfJson, wantsCsv } from '../batch-codecs.js';
import type { PredictionService } from '../model-service.js';
import type { ApiSchemas } from '../openapi-schemas.js';

export interface PredictDependencies {
  service: PredictionService;
  schemas: ApiSchemas;
  apiKeys: readonly string[];
}

// Body schemas document the API; the fields are validated by the model's record encoder, which does it in
// the same pass as encoding and reports every failing field in the catalogue's shape. A second full
// JSON-schema pass per request would double the work on the hot path.
const documentationOnly: FastifySchemaCompiler<unknown> = () => () => true;

const explainQuery = {
  type: 'object',
  properties: { explain: { type: 'string', enum: ['true', 'false', '1', '0'], description: 'Add exact per-feature contributions and top reasons' } },
};

/** `?explain=true` (or 1) asks for explanations; false, 0 or absent leaves them out; anything else is a 400. */
function explainOption(query: unknown): { explain: boolean } | undefined {
  const value = (query as { explain?: unknown } | undefined)?.explain;
  if (value === undefined || value === 'false' || value === '0') return undefined;
  if (value === 'true' || value === '1') return { explain: true };
  throw new ChurnError('BAD_REQUEST', 'query parameter "explain" must be true, false, 1 or 0', [{ path: '/explain', reason: 'type', message: 'must be true, false, 1 or 0' }]);
}

/**
 * Sends a result the service computed synchronously (the native model) at once, without a promise per
 * request on the hot path, or once it resolves (runtimes such as ONNX Runtime are asynchronous).
 */
function sendWhenDone<T>(reply: FastifyReply, result: T | Promise<T>, encode?: (value: T) => unknown): Promise<FastifyReply> | undefined {
  const send = (value: T) => reply.send(encode === undefined ? value : encode(value));
  if (result instanceof Promise) return result.then(send);
  // A synchronous handler that returns a value has it sent a second time: it returns nothing.
  send(result);
  return undefined;
}

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
        querystring: explainQuery,
        body: { ...schemas.record, example: schemas.recordExample },
        response: { 200: schemas.prediction, ...errors },
      },
    }, (request, reply) => {
      if (request.body === undefined) throw noBody();
      return sendWhenDone(reply, service.predict(request.body, explainOption(request.query)));
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
          querystring: explainQuery,
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
        const options = explainOption(request.query);
        const outcome = body instanceof CsvBatch
          ? service.predictBatch(recordsOfCsv(body, featureSchema), '/rows', options)
          : service.predictBatch(recordsOfJson(body), '/records', options);
        const csv = wantsCsv(request.headers.accept);
        if (csv) reply.type('text/csv; charset=utf-8');
        return sendWhenDone(reply, outcome, csv ? batchCsv : undefined);
      });
    });
  };
}
