import type { FastifyServerOptions } from 'fastify';
import { errorCatalogue } from '../errors.js';
import type { FeatureSchema } from '../features/schema.js';
import { syntheticRecord } from '../serving/synthetic-record.js';

/**
 * JSON Schemas (OpenAPI 3.0 dialect) for the API, generated from the model's feature schema so the
 * documentation cannot drift from what the record encoder accepts. The 19 features are never written
 * out by hand here.
 */
export interface ApiSchemas {
  record: object;
  recordExample: Record<string, unknown>;
  prediction: object;
  batchRequest: object;
  batchResponse: object;
  error: object;
  csvBatch: object;
}

const ID_MAX_LENGTH = 256;

/**
 * Route schemas document the API; they neither check requests nor shape answers. The record encoder and the tensor
 * codecs check requests themselves, in the same pass as decoding, with every failing field in the catalogue's shape
 * (a second JSON-schema pass per request would double the hot path's work), and answers are written as the data
 * plane built them, with JSON.stringify (no schema-driven serializer that would drop or coerce fields). Given to
 * Fastify as its compilers, this also keeps Ajv and fast-json-stringify from loading at all: compiling every
 * route's schemas at start-up cost tens of milliseconds for nothing.
 */
export const documentationOnlyCompilers: SchemaCompilers = {
  // Fastify's types want Ajv's validate function; it only calls it and reads `errors`, which stays unset.
  buildValidator: () => (() => acceptEverything) as unknown as ReturnType<SchemaCompilers['buildValidator']>,
  buildSerializer: () => () => (data: unknown) => JSON.stringify(data),
};

type SchemaCompilers = Required<NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>>;

const acceptEverything = (): boolean => true;

export function recordSchema(schema: FeatureSchema): object {
  const properties: Record<string, object> = {
    [schema.idField]: { type: 'string', nullable: true, maxLength: ID_MAX_LENGTH, description: 'Optional identifier, echoed back; never a model input.' },
  };
  for (const feature of schema.features) {
    properties[feature.name] = feature.kind === 'numeric'
      ? {
        type: feature.integer ? 'integer' : 'number',
        minimum: feature.minimum,
        maximum: feature.maximum,
        description: feature.unit === undefined ? feature.description : `${feature.description} (${feature.unit})`,
        ...(feature.nullable ? { nullable: true } : {}),
      }
      // A foreign model's string input may not list its categories: any string is then sent on as it is.
      : { type: 'string', ...(feature.categories.length > 0 ? { enum: [...feature.categories] } : {}), description: feature.description };
  }
  return {
    type: 'object',
    description: `One customer record (feature schema ${schema.name} v${schema.version}). Extra fields are ignored.`,
    required: schema.features.filter((f) => !f.nullable).map((f) => f.name),
    properties,
    additionalProperties: true,
  };
}

const fieldError = {
  type: 'object',
  required: ['path', 'reason', 'message'],
  properties: {
    path: { type: 'string', description: 'JSON Pointer (RFC 6901) to the failing field, e.g. /records/3/tenure' },
    reason: { type: 'string', enum: ['not_object', 'required', 'type', 'not_finite', 'range', 'integer', 'category'] },
    message: { type: 'string' },
  },
};

const errorObject = {
  type: 'object',
  required: ['code', 'message', 'details'],
  properties: {
    code: { type: 'string', enum: Object.keys(errorCatalogue), description: 'Stable code; see docs/errors.md' },
    message: { type: 'string' },
    details: { type: 'array', items: fieldError },
  },
};

const explanation = {
  type: 'object',
  description: 'Present with ?explain=true: exact per-feature contributions (TreeSHAP or linear SHAP) in log-odds',
  properties: {
    baseValue: { type: 'number', description: 'Expected margin (log-odds) over the training data' },
    margin: { type: 'number', description: 'This record\'s margin: baseValue + the sum of contributions' },
    contributions: {
      type: 'array',
      description: 'One entry per input feature, largest magnitude first; positive raises churn risk',
      items: {
        type: 'object',
        properties: {
          feature: { type: 'string' },
          value: { type: ['string', 'number', 'null'] },
          contribution: { type: 'number' },
        },
      },
    },
    reasons: { type: 'array', items: { type: 'string' }, description: 'Top reasons, e.g. "Contract = Month-to-month raises churn risk"' },
  },
};

const scored = {
  customerID: { type: 'string' },
  churnProbability: { type: 'number', minimum: 0, maximum: 1 },
  churn: { type: 'boolean', description: 'churnProbability >= threshold' },
  explanation,
};

export function apiSchemas(schema: FeatureSchema): ApiSchemas {
  const record = recordSchema(schema);
  const recordExample = { [schema.idField]: '7590-VHVEG', ...syntheticRecord(schema) };
  return {
    record,
    recordExample,
    prediction: {
      type: 'object',
      required: ['churnProbability', 'churn', 'threshold', 'modelVersion'],
      properties: { ...scored, threshold: { type: 'number' }, modelVersion: { type: 'string' } },
    },
    batchRequest: {
      type: 'object',
      required: ['records'],
      properties: { records: { type: 'array', items: record } },
    },
    batchResponse: {
      type: 'object',
      required: ['modelVersion', 'threshold', 'count', 'failed', 'results'],
      properties: {
        modelVersion: { type: 'string' },
        threshold: { type: 'number' },
        count: { type: 'integer' },
        failed: { type: 'integer', description: 'How many records were invalid (each has an error entry)' },
        results: {
          type: 'array',
          description: 'One entry per record, in request order',
          // One flat object rather than oneOf: the serializer then writes entries without trying each branch.
          items: {
            type: 'object',
            description: 'A prediction (churnProbability and churn) or, for an invalid record, an error; customerID when the record had one',
            properties: { ...scored, error: errorObject },
          },
        },
      },
    },
    error: { type: 'object', required: ['error'], properties: { error: errorObject } },
    csvBatch: {
      type: 'string',
      description: `CSV with a header row naming the columns (${schema.features.map((f) => f.name).join(', ')}; `
        + `optional ${schema.idField}; other columns ignored), as in the training data file. A blank numeric cell is missing.`,
    },
  };
}
