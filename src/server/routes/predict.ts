import type { FastifyInstance } from 'fastify';
import { ChurnError } from '../../errors.js';
import { acceptsCsv, encodeBatchCsv } from '../../serving/codecs/csv-batch.js';
import type { PredictOptions } from '../../serving/predictions.js';
import type { ServingCore } from '../../serving/serving-core.js';
import type { ApiSchemas } from '../openapi-schemas.js';
import { sendAnswer } from '../protocol-scope.js';


const explainQuery = {
  type: 'object',
  properties: { explain: { type: 'string', enum: ['true', 'false', '1', '0'], description: 'Add exact per-feature contributions and top reasons' } },
};

const NO_OPTIONS: PredictOptions = {};
const EXPLAIN: PredictOptions = { explain: true };

/** `?explain=true` (or 1) asks for explanations; false, 0 or absent leaves them out; anything else is a 400. */
function predictOptions(query: unknown): PredictOptions {
  const value = (query as { explain?: unknown } | undefined)?.explain;
  if (value === undefined || value === 'false' || value === '0') return NO_OPTIONS;
  if (value === 'true' || value === '1') return EXPLAIN;
  throw new ChurnError('BAD_REQUEST', 'query parameter "explain" must be true, false, 1 or 0', [{ path: '/explain', reason: 'type', message: 'must be true, false, 1 or 0' }]);
}

function noBody(): ChurnError {
  return new ChurnError('UNSUPPORTED_MEDIA_TYPE', 'send a JSON body with Content-Type: application/json');
}

/**
 * A batch's body (CSV or JSON), kept as bytes: the data plane decodes it in one pass into the encoded rows (timed as
 * the decode stage), without making a string of the whole body (see decodeJsonBatch for why).
 */
class BatchBody {
  constructor(readonly bytes: Buffer, readonly format: 'csv' | 'json') {}
}

/**
 * POST /predict and POST /predict/batch (JSON or the data file's CSV, answered in JSON or CSV): thin adapters
 * over the data plane. Registered in the REST protocol scope, which admits, counts and maps errors.
 */
export function predictRoutes(core: ServingCore, schemas: ApiSchemas) {
  return (app: FastifyInstance): void => {
    const errors = { '4xx': schemas.error, '5xx': schemas.error };
    const security = core.authenticates ? { security: [{ bearerAuth: [] }] } : {};
    const { maxBatchSize } = core.plane;

    app.post('/predict', {
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
      return sendAnswer(reply, core, 'rest', core.plane.predict(request.body, predictOptions(request.query), 'rest', request.id));
    });

    // CSV only here: /predict takes one JSON record.
    app.register(async (batch) => {
      batch.addContentTypeParser('text/csv', { parseAs: 'buffer' }, (_request, bytes, done) => { done(null, new BatchBody(bytes as Buffer, 'csv')); });
      batch.removeContentTypeParser('application/json');
      batch.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, bytes, done) => { done(null, new BatchBody(bytes as Buffer, 'json')); });
      batch.post('/predict/batch', {
        schema: {
          summary: `Score up to ${maxBatchSize} customers; a bad record gets its own error entry`,
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
        const options = predictOptions(request.query);
        const plane = core.plane;
        // The scope's only parsers are the two above.
        const { bytes, format } = body as BatchBody;
        const outcome = format === 'csv'
          ? plane.predictCsvBatch(bytes, options, 'rest', request.id)
          : plane.predictJsonBatch(bytes, options, 'rest', request.id);
        const csv = acceptsCsv(request.headers.accept);
        if (csv) reply.type('text/csv; charset=utf-8');
        return sendAnswer(reply, core, 'rest', outcome, csv ? encodeBatchCsv : undefined);
      });
    });
  };
}
