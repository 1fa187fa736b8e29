import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { encodeBatchJson } from '../../serving/codecs/batch-json.js';
import { acceptsCsv, encodeBatchCsv } from '../../serving/codecs/csv-batch.js';
import { whenSettled, type MaybePromise } from '../../serving/maybe-promise.js';
import type { ServingCore } from '../../serving/serving-core.js';
import { BodyBuffers, readPooledBody, type PooledBody } from '../body-buffers.js';
import type { ApiSchemas } from '../openapi-schemas.js';
import { sendAnswer } from '../protocol-scope.js';
import { explainOf, explainQuery, noBody, predictOptions } from './predict-query.js';

/**
 * A batch's body (CSV or JSON), kept as bytes in a reused buffer: the data plane decodes it in one pass into the
 * encoded rows (timed as the decode stage), without making a string of the whole body (see decodeJsonBatch for
 * why). The buffer goes back to the route's pool once the call's outcome is settled: records are rebuilt from the
 * bytes until then (BatchRows), by an asynchronous runtime too.
 */
class BatchBody {
  constructor(private readonly body: PooledBody, readonly format: 'csv' | 'json') {}

  get bytes(): Buffer {
    return this.body.bytes;
  }

  /** Gives the buffer back when `outcome` is settled. */
  releaseAfter(outcome: MaybePromise<unknown>): void {
    whenSettled(outcome, this.body.release);
  }

  release(): void {
    this.body.release();
  }
}

/**
 * POST /predict/batch (JSON or the data file's CSV, answered in JSON or CSV): a thin adapter over the data plane.
 * Registered in the REST protocol scope, which admits, counts and maps errors.
 */
export function predictBatchRoute(core: ServingCore, schemas: ApiSchemas, bodyLimitBytes: number) {
  return (app: FastifyInstance): void => {
    const buffers = new BodyBuffers();
    const parser = (format: BatchBody['format']) => (request: FastifyRequest, payload: Readable, done: (error: Error | null, body?: BatchBody) => void): void => {
      readPooledBody(payload, request.headers['content-length'], bodyLimitBytes, buffers, (error, body) => {
        if (error !== null) done(error);
        else done(null, new BatchBody(body!, format));
      });
    };
    const errors = { '4xx': schemas.error, '5xx': schemas.error };
    const security = core.authenticates ? { security: [{ bearerAuth: [] }] } : {};
    const { maxBatchSize } = core.plane;

    // CSV only here: /predict takes one JSON record.
    app.register(async (batch) => {
      batch.addContentTypeParser('text/csv', parser('csv'));
      batch.removeContentTypeParser('application/json');
      batch.addContentTypeParser('application/json', parser('json'));
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
        // The scope's only parsers are the two above.
        const body = request.body as BatchBody | undefined;
        if (body === undefined) throw noBody();
        const plane = core.plane;
        let outcome: ReturnType<typeof plane.predictJsonBatch>;
        try {
          const options = predictOptions(explainOf(request.query));
          outcome = body.format === 'csv'
            ? plane.predictCsvBatch(body.bytes, options, 'rest', request.id)
            : plane.predictJsonBatch(body.bytes, options, 'rest', request.id);
        } catch (error) {
          body.release();
          throw error;
        }
        body.releaseAfter(outcome);
        const csv = acceptsCsv(request.headers.accept);
        reply.type(csv ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
        return sendAnswer(reply, core, 'rest', outcome, csv ? encodeBatchCsv : encodeBatchJson);
      });
    });
  };
}
