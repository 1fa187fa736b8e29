import type { FastifySchema } from 'fastify';
import { v2Datatypes } from '../../serving/codecs/v2-datatypes.js';
import type { DataPlane } from '../../serving/data-plane.js';
import { syntheticRecord } from '../../serving/synthetic-record.js';

/**
 * The OpenAPI description of the Open Inference Protocol V2 REST routes (the specification's $inference_request,
 * $inference_response and metadata objects), for GET /openapi.json and its users (Swagger UI, schemathesis).
 * Documentation only: the codecs check requests themselves (with the protocol's own error messages), and answers
 * are written with JSON.stringify, as the protocol's clients expect them, not re-shaped by a schema.
 */

const error = { type: 'object', required: ['error'], properties: { error: { type: 'string' } }, description: 'The V2 error body' };
const parameters = { type: 'object', additionalProperties: true, description: 'Named parameters (booleans, numbers, strings)' };
const shape = { type: 'array', items: { type: 'integer', minimum: 0 } };
const tensorMetadata = { type: 'object', required: ['name', 'datatype', 'shape'], properties: { name: { type: 'string' }, datatype: { type: 'string' }, shape: { type: 'array', items: { type: 'integer', minimum: -1 } } } };

const requestInput = {
  type: 'object',
  required: ['name', 'shape', 'datatype'],
  properties: {
    name: { type: 'string', minLength: 1 },
    shape,
    datatype: { type: 'string', enum: [...v2Datatypes] },
    parameters: {
      ...parameters,
      properties: {
        binary_data_size: { type: 'integer', minimum: 0, description: 'Binary data extension: this input\'s bytes follow the JSON header' },
        content_type: { type: 'string', description: '"json": each BYTES element is one record as JSON text' },
      },
    },
    data: { description: 'Row-major elements, flat or nested (absent with binary_data_size)' },
  },
};

const inferenceRequest = {
  type: 'object',
  required: ['inputs'],
  properties: {
    id: { type: 'string' },
    parameters: {
      ...parameters,
      properties: {
        explain: { type: 'boolean', description: 'Add the contributions output' },
        binary_data_output: { type: 'boolean', description: 'Binary data extension: answer every output as bytes' },
      },
    },
    inputs: { type: 'array', items: requestInput },
    outputs: {
      type: 'array',
      items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, parameters: { ...parameters, properties: { binary_data: { type: 'boolean' } } } } },
    },
  },
};

const inferenceResponse = {
  type: 'object',
  required: ['model_name', 'outputs'],
  properties: {
    model_name: { type: 'string' },
    model_version: { type: 'string' },
    id: { type: 'string' },
    parameters,
    outputs: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'shape', 'datatype'],
        properties: { name: { type: 'string' }, shape, datatype: { type: 'string' }, parameters, data: { type: 'array', items: { type: ['number', 'boolean'] } } },
      },
    },
  },
};

const binary = {
  type: 'string',
  format: 'binary',
  description: 'Binary data extension: a JSON header of Inference-Header-Content-Length bytes, then the tensors\' bytes',
};

export interface V2RouteSchemas {
  serverMetadata: FastifySchema;
  live: FastifySchema;
  ready: FastifySchema;
  modelMetadata: FastifySchema;
  modelReady: FastifySchema;
  infer: FastifySchema;
}

/** Route schemas for the model being served (its name and version are the only ones the paths take). */
export function v2RouteSchemas(plane: DataPlane, authenticates: boolean): V2RouteSchemas {
  const tags = ['v2'];
  const security = authenticates ? { security: [{ bearerAuth: [] }] } : {};
  const model = { name: { type: 'string', enum: [plane.name] }, version: { type: 'string', enum: [plane.version] } };
  const params = (withVersion: boolean) => ({ type: 'object', required: withVersion ? ['name', 'version'] : ['name'], properties: withVersion ? model : { name: model.name } });
  const modelErrors = { ...(authenticates ? { 401: error } : {}), 404: error, '5xx': error };
  const modelRoute = (summary: string, ok: object): FastifySchema => ({ summary, tags, ...security, response: { 200: ok, ...modelErrors } });
  const modelMetadata = {
    type: 'object', required: ['name', 'versions', 'platform', 'inputs', 'outputs'],
    properties: { name: { type: 'string' }, versions: { type: 'array', items: { type: 'string' } }, platform: { type: 'string' }, inputs: { type: 'array', items: tensorMetadata }, outputs: { type: 'array', items: tensorMetadata } },
  };
  return {
    serverMetadata: {
      summary: 'V2 server metadata', tags,
      response: { 200: { type: 'object', required: ['name', 'version', 'extensions'], properties: { name: { type: 'string' }, version: { type: 'string' }, extensions: { type: 'array', items: { type: 'string' } } } } },
    },
    live: { summary: 'V2 server liveness', tags, response: { 200: { type: 'object', required: ['live'], properties: { live: { type: 'boolean' } } } } },
    ready: {
      summary: 'V2 server readiness (as /readyz)', tags,
      response: { 200: { type: 'object', required: ['ready'], properties: { ready: { type: 'boolean' } } }, 503: { type: 'object', required: ['ready'], properties: { ready: { type: 'boolean' } } } },
    },
    modelMetadata: { ...modelRoute('V2 model metadata: inputs as the model takes them, outputs as inference answers them', modelMetadata), params: params(false) },
    modelReady: { ...modelRoute('V2 model readiness', { type: 'object', required: ['name', 'ready'], properties: { name: { type: 'string' }, ready: { type: 'boolean' } } }), params: params(false) },
    infer: {
      summary: 'V2 inference: tensors in, tensors out (JSON, or the binary data extension)',
      description: 'Inputs: one tensor per model input (BYTES for categoricals), one BYTES tensor of JSON records (parameters.content_type "json"), '
        + 'or for all-numeric models one [N, F] tensor. Binary data extension: send Inference-Header-Content-Length and binary_data_size; '
        + 'ask for binary outputs with parameters.binary_data_output or an output\'s binary_data.',
      tags,
      ...security,
      params: params(false),
      headers: { type: 'object', properties: { 'inference-header-content-length': { type: 'integer', minimum: 0, description: 'Binary data extension: the JSON header\'s length in bytes' } } },
      body: {
        content: {
          'application/json': {
            schema: inferenceRequest,
            example: { inputs: [{ name: 'records', datatype: 'BYTES', shape: [1], parameters: { content_type: 'json' }, data: [JSON.stringify(syntheticRecord(plane.schema))] }] },
          },
          'application/octet-stream': { schema: binary },
        },
      },
      response: {
        200: {
          description: 'The outputs; with binary outputs, application/octet-stream with Inference-Header-Content-Length',
          content: { 'application/json': { schema: inferenceResponse }, 'application/octet-stream': { schema: binary } },
        },
        400: error, ...(authenticates ? { 401: error } : {}), 404: error, 413: error, 415: error, '5xx': error,
      },
    },
  };
}

/** The same schema for a route's versioned path (/versions/{version}). */
export function withVersion(schema: FastifySchema, plane: DataPlane): FastifySchema {
  return {
    ...schema,
    params: { type: 'object', required: ['name', 'version'], properties: { name: { type: 'string', enum: [plane.name] }, version: { type: 'string', enum: [plane.version] } } },
  };
}
