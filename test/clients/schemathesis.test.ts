/**
 * schemathesis (from PyPI) against GET /openapi.json of `churn-predictor serve`: every operation, generated valid
 * and invalid requests, with the checks that hold a server to its own document — no 5xx, no status code, content
 * type, header or body the document does not give. (It judges requests by the document alone, so its
 * positive_data_acceptance / negative_data_rejection checks are left out: a tensor's shape must match its data,
 * which JSON Schema cannot say; and it wants 405 for undeclared methods where the catalogue answers 404 NOT_FOUND.)
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startChildServer, type ChildServer } from '../server/child-server.js';
import { clientsPython, requireVenvInCi, runVenv, venvMissing } from './python-venv.js';

const KEY = 'schemathesis-key-0123456789';
const CHECKS = ['not_a_server_error', 'status_code_conformance', 'content_type_conformance', 'response_headers_conformance', 'response_schema_conformance'];

requireVenvInCi('schemathesis');

describe('schemathesis against /openapi.json', { skip: venvMissing, timeout: 600_000 }, () => {
  let server: ChildServer | undefined;
  // No shedding: a 503 from a busy shared machine is documented, but it would keep operations from being exercised.
  before(async () => { server = await startChildServer({ API_KEYS: KEY, MAX_EVENT_LOOP_DELAY_MS: '0' }); });
  after(() => { server?.kill(); });

  test('every operation: 0 server errors, 0 responses the document does not describe', async () => {
    const base = `http://127.0.0.1:${server!.port}`;
    const document = await (await fetch(`${base}/openapi.json`)).json() as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.values(document.paths).reduce((n, methods) => n + Object.keys(methods).length, 0);
    const started = performance.now();
    const run = await runVenv(join(clientsPython, '..', 'schemathesis'), [
      'run', `${base}/openapi.json`, '--checks', CHECKS.join(','), '-H', `Authorization: Bearer ${KEY}`,
      '--max-examples', '50', '--seed', '20261201', '--no-color', '--generation-database', 'none',
    ], 480_000);
    const output = run.stdout + run.stderr;
    process.stdout.write(`# schemathesis: ${((performance.now() - started) / 1000).toFixed(1)} s; ${/Test cases:\s*\n\s*(.*)/.exec(output)?.[1] ?? 'no summary'}\n`);
    assert.equal(run.code, 0, output.slice(-6000));
    assert.match(output, new RegExp(`Selected: ${operations}/${operations}\\s+Tested: ${operations}\\b`), output.slice(-3000));
    assert.ok(operations >= 16, `the document has ${operations} operations`);
  });
});
