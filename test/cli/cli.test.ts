import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { bundledDataFile } from '../../src/model/bundled-model.js';
import { packageRoot } from '../../src/foundation/package-files.js';
import { temporaryDirectory } from '../helpers/fixtures.js';
import { reportCharts } from '../reporting/report-charts.js';

const cli = join(packageRoot, 'dist/src/cli/main.js');
const work = temporaryDirectory();
after(() => rmSync(work, { recursive: true, force: true }));

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A one-line error with its code, no stack trace. */
function assertCleanFailure(result: ReturnType<typeof run>, code: string): void {
  assert.equal(result.code, 1);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.ok(lines[0]!.startsWith(`error ${code}:`), result.stderr);
  assert.ok(!result.stderr.includes('    at '), 'no stack trace');
}

describe('churn-predictor CLI', () => {
  it('info prints the bundled model card', () => {
    const result = run('info');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /ROC AUC/);
    assert.match(result.stdout, /sha256 [0-9a-f]{64}/);
    assert.match(result.stdout, /^drift {6}reference profile of \d+ rows/m);
  });

  it('info reads any model MODEL_PATH takes, and prints what GET /model would answer for it', () => {
    const xgboost = join(packageRoot, 'test', 'fixtures', 'xgboost', 'binary-logistic.model.json');
    const text = run('info', '--model', xgboost);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^model {6}binary-logistic\.model 1 \(xgboost-json, binary\)$/m);
    assert.match(text.stdout, /^drift {6}no reference profile/m);
    const card = JSON.parse(run('info', '--model', xgboost, '--json').stdout) as { format: string; endpoints: string[] };
    assert.equal(card.format, 'xgboost-json');
    assert.ok(card.endpoints.includes('/predict'));
    assertCleanFailure(run('info', '--model', join(work, 'absent.json')), 'ARTIFACT_NOT_FOUND');
  });

  it('info prints which library trained a tree model, its objective and its size', () => {
    const lightgbm = join(packageRoot, 'test', 'fixtures', 'tree-models', 'lightgbm-4.6.0', 'binary-categorical.txt');
    const text = run('info', '--model', lightgbm);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^model {6}binary-categorical 1 \(lightgbm-text, binary\)$/m);
    assert.match(text.stdout, /^library {4}lightgbm v4, objective binary sigmoid:1, 8 trees$/m);
    assert.match(text.stdout, /Contract \(3 categories\)/);
    const card = JSON.parse(run('info', '--model', lightgbm, '--json').stdout) as Record<string, unknown>;
    assert.deepEqual([card['library'], card['libraryVersion'], card['objective'], card['trees']], ['lightgbm', 'v4', 'binary sigmoid:1', 8]);
  });

  it('info --json prints the manifest without the payload entry', () => {
    const card = JSON.parse(run('info', '--json').stdout) as Record<string, unknown>;
    assert.equal(card['name'], 'churn');
    assert.equal('payload' in card, false);
  });

  it('info on a missing model fails cleanly', () => assertCleanFailure(run('info', '--model', join(work, 'nothing')), 'ARTIFACT_NOT_FOUND'));

  it('train rejects a bad seed', () => assertCleanFailure(run('train', '--seed', 'abc', '--out', join(work, 'x')), 'INVALID_ARGUMENT'));

  it('train rejects data rows that break the schema, naming the line, and drops nothing silently', () => {
    const lines = readFileSync(bundledDataFile, 'utf8').split('\n');
    lines[5] = lines[5]!.replace('Month-to-month', 'Weekly');
    const file = join(work, 'bad.csv');
    writeFileSync(file, lines.join('\n'));
    const result = run('train', '--data', file, '--out', join(work, 'bad-model'));
    assertCleanFailure(result, 'DATA_INVALID');
    assert.match(result.stderr, /line 6\/Contract/);
  });

  it('train on missing data fails cleanly', () => assertCleanFailure(run('train', '--data', join(work, 'none.csv'), '--out', join(work, 'm')), 'DATA_NOT_FOUND'));

  it('train --algo logreg writes a model that info can read', () => {
    const out = join(work, 'logreg');
    const trained = run('train', '--algo', 'logreg', '--out', out);
    assert.equal(trained.code, 0, trained.stderr);
    assert.match(run('info', '--model', out).stdout, /logreg/);
  });

  it('predict scores a CSV export, with an error column for bad rows, and exits 2 when some rows are invalid', () => {
    const lines = readFileSync(bundledDataFile, 'utf8').split('\n').slice(0, 4);
    const clean = join(work, 'clean.csv');
    writeFileSync(clean, lines.join('\n') + '\n');
    assert.equal(run('predict', clean).code, 0);
    lines[2] = lines[2]!.replace(',34,', ',-34,');
    const file = join(work, 'export.csv');
    writeFileSync(file, lines.join('\n') + '\n');
    const result = run('predict', file);
    assert.equal(result.code, 2, result.stderr);
    const rows = result.stdout.trim().split('\n');
    assert.equal(rows[0], 'customerID,churnProbability,churn,error');
    assert.equal(rows.length, 4);
    assert.match(rows[1]!, /^7590-VHVEG,0\.\d+,(true|false),$/);
    assert.match(rows[2]!, /^5575-GNVDE,,,"?\/rows\/1\/tenure: /);
    assert.match(result.stderr, /1 invalid/);
  });

  it('predict scores with any model MODEL_PATH takes: an XGBoost file, and refuses a model that is not a binary classifier', () => {
    const file = join(work, 'xgb.csv');
    writeFileSync(file, 'customerID,tenure,age\na,3,40\nb,x,\n');
    const result = run('predict', file, '--model', join(packageRoot, 'test', 'fixtures', 'xgboost', 'binary-logistic.model.json'));
    assert.equal(result.code, 2, result.stderr);
    const rows = result.stdout.trim().split('\n');
    assert.match(rows[1]!, /^a,0\.\d+,(true|false),$/);
    assert.match(rows[2]!, /^b,,,"?\/rows\/1\/tenure: /);
    assertCleanFailure(run('predict', file, '--model', join(packageRoot, 'test', 'fixtures', 'xgboost', 'reg-squarederror.model.json')), 'INVALID_ARGUMENT');
  });
});

describe('churn-predictor explain', () => {
  it('prints global importance and writes an HTML chart', () => {
    const html = join(work, 'importance.html');
    const result = run('explain', '--html', html);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^feature\s+mean \|contribution\|/);
    assert.match(result.stdout, /7043 records explained, 0 invalid/);
    assert.equal(reportCharts(readFileSync(html, 'utf8')).length, 1);
  });

  it('explains an XGBoost model through its own pred_contribs: the means match XGBoost\'s (1e-5)', () => {
    const fixtures = join(packageRoot, 'test', 'fixtures', 'xgboost');
    const expected = JSON.parse(readFileSync(join(fixtures, 'binary-logistic.expected.json'), 'utf8')) as { rows: (number | null)[][]; contributions: number[][] };
    const names = ['tenure', 'monthly_charges', 'total_charges', 'support_calls', 'contract_months', 'age'];
    const file = join(work, 'xgb-explain.csv');
    writeFileSync(file, [names.join(','), ...expected.rows.map((row) => row.map((v) => v ?? '').join(','))].join('\n') + '\n');
    const result = run('explain', '--model', join(fixtures, 'binary-logistic.model.json'), '--data', file, '--json');
    assert.equal(result.code, 0, result.stderr);
    const importance = JSON.parse(result.stdout) as { records: number; invalid: number; features: { feature: string; meanAbsolute: number }[] };
    assert.deepEqual([importance.records, importance.invalid], [expected.rows.length, 0]);
    for (const { feature, meanAbsolute } of importance.features) {
      const column = names.indexOf(feature);
      const reference = expected.contributions.reduce((sum, row) => sum + Math.abs(row[column]!), 0) / expected.rows.length;
      assert.ok(Math.abs(meanAbsolute - reference) < 1e-5, feature);
    }
    assertCleanFailure(run('explain', '--model', join(fixtures, 'multi-softprob.model.json'), '--data', file), 'INVALID_ARGUMENT');
  });

  it('explains a LightGBM model with named categories through its pred_contrib: the means match LightGBM\'s (1e-5)', () => {
    const directory = join(packageRoot, 'test', 'fixtures', 'tree-models', 'lightgbm-4.6.0');
    const expected = JSON.parse(readFileSync(join(directory, 'binary-categorical.expected.json'), 'utf8')) as {
      features: string[]; categorical: Record<string, string[]>; probes: Record<string, [number, number]>; rows: (number | null)[][]; contributions: number[][][];
    };
    // The customers of the data probes, categories by name as the CSV export holds them.
    const [start, end] = expected.probes['data']!;
    const rows = expected.rows.slice(start, end);
    const cell = (v: number | null, feature: string) => (v === null ? '' : expected.categorical[feature]?.[v] ?? String(v));
    const file = join(work, 'lightgbm-explain.csv');
    writeFileSync(file, [expected.features.join(','), ...rows.map((row) => row.map((v, c) => cell(v, expected.features[c]!)).join(','))].join('\n') + '\n');
    const result = run('explain', '--model', join(directory, 'binary-categorical.txt'), '--data', file, '--json');
    assert.equal(result.code, 0, result.stderr);
    const importance = JSON.parse(result.stdout) as { records: number; invalid: number; features: { feature: string; meanAbsolute: number }[] };
    assert.deepEqual([importance.records, importance.invalid], [rows.length, 0]);
    assert.equal(importance.features.length, expected.features.length);
    for (const { feature, meanAbsolute } of importance.features) {
      const column = expected.features.indexOf(feature);
      const reference = expected.contributions.slice(start, end).reduce((sum, row) => sum + Math.abs(row[0]![column]!), 0) / rows.length;
      assert.ok(Math.abs(meanAbsolute - reference) < 1e-5, `${feature}: ${meanAbsolute} vs ${reference}`);
    }
    assertCleanFailure(run('explain', '--model', join(directory, 'multiclass.txt'), '--data', file), 'INVALID_ARGUMENT');
  });
});

describe('CSV input of predict and explain', () => {
  it('a malformed CSV file is a one-line MALFORMED_CSV error, as POST /predict/batch answers it', () => {
    const file = join(work, 'broken.csv');
    writeFileSync(file, 'customerID,gender\n"unterminated,Male\n');
    assertCleanFailure(run('predict', file), 'MALFORMED_CSV');
    assertCleanFailure(run('explain', '--data', file), 'MALFORMED_CSV');
  });

  it('a file without a required column cannot be scored: one INVALID_BODY line naming it, exit 1, no output', () => {
    const [header, ...rows] = readFileSync(bundledDataFile, 'utf8').split('\n').slice(0, 4);
    const columns = header!.split(',');
    const contract = columns.indexOf('Contract');
    const drop = (line: string) => line.split(',').filter((_, i) => i !== contract).join(',');
    const file = join(work, 'no-contract.csv');
    writeFileSync(file, [drop(header!), ...rows.map(drop)].join('\n') + '\n');
    const result = run('predict', file);
    assertCleanFailure(result, 'INVALID_BODY');
    assert.match(result.stderr, /1 required column/);
    assert.equal(result.stdout, '');
  });

  it('a missing file is a one-line DATA_NOT_FOUND error', () => {
    assertCleanFailure(run('predict', join(work, 'absent.csv')), 'DATA_NOT_FOUND');
  });
});
