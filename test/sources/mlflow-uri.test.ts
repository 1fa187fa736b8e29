import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMlflowUri } from '../../src/sources/mlflow-uri.js';
import { safeRelativePath } from '../../src/sources/remote-folder.js';
import { isCode } from '../helpers/mlflow-folders.js';

describe('MLflow URIs and store listings', () => {
  it('parses models:/ and runs:/ as MLflow\'s client does', () => {
    assert.deepEqual(parseMlflowUri('models:/churn/007'), { kind: 'version', name: 'churn', version: '7' });
    assert.deepEqual(parseMlflowUri('models:/team@churn@champion'), { kind: 'alias', name: 'team@churn', alias: 'champion' });
    assert.deepEqual(parseMlflowUri('models:/churn/latest'), { kind: 'latest', name: 'churn' });
    assert.deepEqual(parseMlflowUri('models:/churn/Staging'), { kind: 'latest', name: 'churn', stage: 'Staging' });
    assert.deepEqual(parseMlflowUri('models:/m-abc123'), { kind: 'logged-model', modelId: 'm-abc123' });
    assert.deepEqual(parseMlflowUri('runs:/abc123/models/churn/'), { kind: 'run', runId: 'abc123', path: 'models/churn' });
  });

  it('a listed path that would leave the download folder is refused', () => {
    assert.equal(safeRelativePath('store', 'a/b.json'), 'a/b.json');
    for (const bad of ['../x', 'a/../../x', '/etc/passwd', 'a//b', 'a\\b', '.']) assert.throws(() => safeRelativePath('store', bad), isCode('ARTIFACT_CORRUPT'), bad);
  });
});
