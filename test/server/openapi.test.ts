import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { errorCatalogue } from '../../src/errors.js';
import { recordSchema } from '../../src/server/openapi-schemas.js';
import { bundledModel, testApp, type TestApp } from './app-harness.js';

interface PropertySchema { type?: string; enum?: string[]; minimum?: number; maximum?: number; nullable?: boolean }

describe('OpenAPI document and Swagger UI', () => {
  let t: TestApp;
  let document: { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, PropertySchema>; required: string[] } }> }; responses: Record<string, unknown> }>> };
  before(async () => {
    t = await testApp();
    document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  });
  after(async () => { await t.app.close(); });

  test('documents every public path', () => {
    assert.match(document.openapi, /^3\./);
    for (const path of ['/predict', '/predict/batch', '/model', '/health', '/livez', '/readyz', '/metrics']) {
      assert.ok(document.paths[path], path);
    }
  });

  test('the /predict body is the model\'s feature schema, feature by feature', () => {
    const body = document.paths['/predict']!['post']!.requestBody!.content['application/json']!.schema;
    const schema = bundledModel().manifest.schema;
    for (const feature of schema.features) {
      const property = body.properties[feature.name];
      assert.ok(property, feature.name);
      if (feature.kind === 'categorical') {
        assert.deepEqual(property.enum, [...feature.categories], feature.name);
      } else {
        assert.equal(property.type, feature.integer ? 'integer' : 'number');
        assert.equal(property.minimum, feature.minimum);
        assert.equal(property.maximum, feature.maximum);
        assert.equal(property.nullable === true, feature.nullable);
      }
    }
    assert.deepEqual([...body.required].sort(), schema.features.filter((f) => !f.nullable).map((f) => f.name).sort());
  });

  test('the batch body accepts JSON and CSV, and errors use the catalogue codes', () => {
    const content = document.paths['/predict/batch']!['post']!.requestBody!.content;
    assert.deepEqual(Object.keys(content).sort(), ['application/json', 'text/csv']);
    const text = JSON.stringify(document.paths['/predict']);
    for (const code of Object.keys(errorCatalogue)) assert.ok(text.includes(code), code);
  });

  test('a schema with different features documents different fields (nothing hand-written)', () => {
    const schema = { ...bundledModel().manifest.schema, features: [{ name: 'age', kind: 'numeric' as const, description: 'Age.', integer: true, minimum: 0, maximum: 150, nullable: false }] };
    const generated = recordSchema(schema) as { properties: Record<string, unknown> };
    assert.deepEqual(Object.keys(generated.properties).sort(), ['age', schema.idField].sort());
  });

  test('GET /docs serves Swagger UI', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/docs/' });
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /swagger/i);
  });
});
