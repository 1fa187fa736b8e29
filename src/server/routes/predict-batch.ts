import type { FastifyInstance } from 'fastify';
import { acceptsCsv, encodeBatchCsv } from '../../serving/codecs/csv-batch.js';
import type { ServingCore } from '../../serving/serving-core.js';
import type { ApiSchemas } from '../openapi-schemas.js';
import { sendAnswer } from '../protocol-scope.js';
import { explainOf, explainQuery, noBody, predictOptions } from './predict-query.js';

/**
 * A batch's body (CSV or JSON), kept as bytes: the data plane decodes it in one pass into the encoded rows (timed as
 * the decode stage), without making a string of the whole body (see decodeJsonBatch for why).
 */
class BatchBody {
  constructor(readonly bytes: Buffer, readonly format: 'csv' | 'json') {}
}

/**
 * POST /predict/batch (JSON or the data file's CSV, answered in JSON or CSV): a thin adapter over the data plane.
 * Registered in the REST protocol scope, which admits, counts and maps errors.
 */
export function predictBatchRoute(core: ServingCore, schemas: ApiSchemas) {
  return (app: FastifyInstance): void => {
    const errors = { '4xx': schemas.error, '5xx': schemas.error };
    const security = core.authenticates ? { security: [{ bearerAuth: [] }] } : {};
    const { maxBatchSize } = core.plane;

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
        const options = predictOptions(explainOf(request.query));
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
