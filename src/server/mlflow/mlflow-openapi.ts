import type { FastifySchema } from 'fastify';
import type { DataPlane } from '../../serving/data-plane.js';
import { syntheticRecord } from '../../serving/synthetic-record.js';

/**
 * The OpenAPI description of MLflow's scoring protocol routes, for GET /openapi.json and its users (Swagger UI,
 * schemathesis). Documentation only: the MLflow codec checks requests itself, with MLflow's statuses.
 */
export interface MlflowRouteSchemas {
  invocations: FastifySchema;
  ping: FastifySchema;
  version: FastifySchema;
}

const error = {
  type: 'object',
  required: ['error_code', 'message', 'error'],
  properties: {
    error_code: { type: 'string', description: 'MLflow\'s name for the error (BAD_REQUEST, INVALID_PARAMETER_VALUE, ...)' },
    message: { type: 'string' },
    error: { type: 'object', description: 'This server\'s error: code (docs/errors.md), message, details' },
  },
};
const frame = { type: 'object', additionalProperties: true };
const invocationsRequest = {
  type: 'object',
  description: 'Exactly one of dataframe_split, dataframe_records, instances or inputs; params optional',
  properties: {
    dataframe_split: { type: 'object', properties: { columns: { type: 'array', items: { type: 'string' } }, data: { type: 'array', items: { type: 'array' } } } },
    dataframe_records: { type: 'array', items: frame },
    instances: { description: 'Records, or a column-to-values object' },
    inputs: { description: 'Records, or a column-to-values object' },
    params: { ...frame, description: 'Inference parameters (accepted; this server\'s models take none)' },
  },
};
const health = { type: 'object', required: ['status', 'modelName', 'modelVersion'], properties: { status: { type: 'string' }, modelName: { type: 'string' }, modelVersion: { type: 'string' } } };

export function mlflowRouteSchemas(plane: DataPlane, authenticates: boolean): MlflowRouteSchemas {
  const tags = ['mlflow'];
  return {
    invocations: {
      summary: 'MLflow scoring protocol (mlflow models serve): a frame in, {"predictions": ...} out',
      tags,
      ...(authenticates ? { security: [{ bearerAuth: [] }] } : {}),
      body: {
        content: {
          'application/json': { schema: invocationsRequest, example: { dataframe_records: [syntheticRecord(plane.schema)] } },
          'text/csv': { schema: { type: 'string', description: 'A header row of column names, then one row per record' } },
        },
      },
      response: {
        200: { type: 'object', required: ['predictions'], properties: { predictions: { description: 'One prediction per record, as mlflow models serve answers it' } } },
        400: error, ...(authenticates ? { 401: error } : {}), 413: error, 415: error, '5xx': error,
      },
    },
    ping: { summary: 'MLflow\'s health check (the /health answer)', tags, response: { 200: health, 503: { type: 'object' } } },
    version: { summary: 'This server\'s version, as plain text', tags, response: { 200: { content: { 'text/plain': { schema: { type: 'string' } } } } } },
  };
}
