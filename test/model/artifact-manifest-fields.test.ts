import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isChurnError, type ErrorCode } from '../../src/errors.js';
import { packageRoot } from '../../src/foundation/package-files.js';
import { loadModelArtifact } from '../../src/model/artifact-loader.js';
import { MANIFEST_FILE } from '../../src/model/artifact-manifest.js';
import { bundledModelDirectory } from '../../src/model/bundled-model.js';
import { cliPath } from '../server/child-server.js';
import { temporaryDirectory } from '../helpers/fixtures.js';

/*
 * Item 7 of issue 12: the manifest is checked completely, once, at load. Every field of the bundled (format
 * version 2) manifest is taken away and then given a value of the wrong type; each time the loader must answer
 * ARTIFACT_CORRUPT naming that field, never a TypeError further down.
 */

const work = temporaryDirectory();
after(() => rmSync(work, { recursive: true, force: true }));
const artifact = join(work, 'model');
cpSync(bundledModelDirectory, artifact, { recursive: true });
const original = readFileSync(join(bundledModelDirectory, MANIFEST_FILE), 'utf8');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** Every field path: object members at any depth, and the first element of arrays of objects (the shape of all). */
function fieldPaths(value: Json, path: Path = []): Path[] {
  if (Array.isArray(value)) {
    const first = value[0];
    return first !== undefined && typeof first === 'object' && first !== null ? fieldPaths(first, [...path, 0]) : [];
  }
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => [[...path, key], ...fieldPaths(child, [...path, key])]);
}

function pathText(path: Path): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`)).join('');
}

function edited(edit: (manifest: Record<string, Json>) => void): Record<string, Json> {
  const manifest = JSON.parse(original) as Record<string, Json>;
  edit(manifest);
  return manifest;
}

function parentOf(manifest: Json, path: Path): Record<string | number, Json> {
  let node: Json = manifest;
  for (const key of path.slice(0, -1)) node = (node as Record<string | number, Json>)[key]!;
  return node as Record<string | number, Json>;
}

function loadWith(manifest: unknown): ReturnType<typeof loadModelArtifact> {
  writeFileSync(join(artifact, MANIFEST_FILE), JSON.stringify(manifest));
  return loadModelArtifact(artifact);
}

function assertRefused(manifest: unknown, code: ErrorCode, field: string): void {
  assert.throws(() => loadWith(manifest), (error: unknown) => {
    assert.ok(isChurnError(error), `expected a ChurnError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.ok(error.message.includes(`"${field}"`), `the message names "${field}": ${error.message}`);
    return true;
  });
}

/** A value of another type than the field's. */
function wrongValue(value: Json): Json {
  if (typeof value === 'string') return 42;
  if (typeof value === 'number') return 'x';
  if (typeof value === 'boolean') return 'yes';
  if (Array.isArray(value)) return { not: 'an array' };
  return 'not an object';
}

// Fields the format lets be absent: a feature's unit, and the members of free-form maps.
const optional = (path: Path) => path.at(-1) === 'unit' || ['hyperParameters', 'missing'].includes(String(path.at(-2)));

const paths = fieldPaths(JSON.parse(original) as Json);

describe('every manifest field is checked at load', () => {
  it('the bundled manifest has the fields the code reads (sanity of the walk)', () => {
    const texts = paths.map(pathText);
    for (const field of ['metrics.test.rocAuc', 'metrics.test.calibration[0].observedRate', 'training.split.testRows', 'schema.features[0].categories', 'referenceProfile.features[0].counts', 'referenceProfile.score.edges', 'threshold.method', 'payload.bytes']) {
      assert.ok(texts.includes(field), field);
    }
    assert.ok(paths.length > 80, `${paths.length} fields`);
  });

  for (const path of paths) {
    const field = pathText(path);
    if (!optional(path)) {
      it(`missing ${field}: ARTIFACT_CORRUPT naming it`, () => {
        assertRefused(edited((m) => { delete parentOf(m, path)[path.at(-1)!]; }), 'ARTIFACT_CORRUPT', field);
      });
    }
    it(`malformed ${field}: ARTIFACT_CORRUPT naming it`, () => {
      assertRefused(edited((m) => {
        const parent = parentOf(m, path);
        parent[path.at(-1)!] = wrongValue(parent[path.at(-1)!]!);
      }), 'ARTIFACT_CORRUPT', field);
    });
  }
});

describe('values of the right type that are still wrong', () => {
  const cases: [string, (m: Record<string, Json>) => void, ErrorCode, string][] = [
    ['a threshold above 1', (m) => { (m['threshold'] as Record<string, Json>)['value'] = 1.5; }, 'ARTIFACT_CORRUPT', 'threshold.value'],
    ['a negative row count', (m) => { ((m['training'] as Record<string, Json>)['data'] as Record<string, Json>)['rows'] = -1; }, 'ARTIFACT_CORRUPT', 'training.data.rows'],
    ['an unknown algorithm', (m) => { m['algorithm'] = 'forest'; }, 'ARTIFACT_CORRUPT', 'algorithm'],
    ['an unknown link', (m) => { m['link'] = 'tanh'; }, 'ARTIFACT_CORRUPT', 'link'],
    ['a payload checksum that is not hex', (m) => { (m['payload'] as Record<string, Json>)['sha256'] = 'abc'; }, 'ARTIFACT_CORRUPT', 'payload.sha256'],
    ['a numeric feature with minimum above maximum', (m) => {
      const tenure = ((m['schema'] as Record<string, Json>)['features'] as Record<string, Json>[]).find((f) => f['name'] === 'tenure')!;
      tenure['minimum'] = 5000;
    }, 'ARTIFACT_CORRUPT', 'schema.features[4].maximum'],
    ['profile edges out of order', (m) => {
      const tenure = ((m['referenceProfile'] as Record<string, Json>)['features'] as Record<string, Json>[])[4]!;
      tenure['edges'] = [(tenure['edges'] as number[])[1]!, (tenure['edges'] as number[])[0]!, ...(tenure['edges'] as number[]).slice(2)];
    }, 'ARTIFACT_CORRUPT', 'referenceProfile.features[4].edges'],
    ['profile counts that do not add up to its rows', (m) => {
      const gender = ((m['referenceProfile'] as Record<string, Json>)['features'] as Record<string, Json>[])[0]!;
      (gender['counts'] as number[])[0]! += 1;
    }, 'ARTIFACT_CORRUPT', 'referenceProfile.features[0].counts'],
    ['profile with a count per edge instead of per bin', (m) => {
      const score = (m['referenceProfile'] as Record<string, Json>)['score'] as Record<string, Json>;
      (score['counts'] as number[]).pop();
    }, 'ARTIFACT_CORRUPT', 'referenceProfile.score.counts'],
    ['profile of other categories than the schema\'s', (m) => {
      const contract = ((m['referenceProfile'] as Record<string, Json>)['features'] as Record<string, Json>[])[14]!;
      contract['categories'] = ['Month-to-month', 'Two year', 'One year'];
    }, 'ARTIFACT_SCHEMA_MISMATCH', 'referenceProfile.features[14].categories'],
    ['profile of features in another order', (m) => {
      const features = (m['referenceProfile'] as Record<string, Json>)['features'] as Json[];
      [features[0], features[1]] = [features[1]!, features[0]!];
    }, 'ARTIFACT_SCHEMA_MISMATCH', 'referenceProfile.features[0]'],
  ];
  for (const [name, edit, code, field] of cases) {
    it(`${name}: ${code} naming ${field}`, () => assertRefused(edited(edit), code, field));
  }
});

describe('format versions', () => {
  it('a version 1 manifest (no reference profile) still loads, without a profile', () => {
    const loaded = loadWith(edited((m) => { m['formatVersion'] = 1; delete m['referenceProfile']; }));
    assert.equal(loaded.manifest.formatVersion, 1);
    assert.equal(loaded.manifest.referenceProfile, undefined);
  });

  it('a version this build does not know: ARTIFACT_UNSUPPORTED_VERSION naming formatVersion', () => {
    assertRefused(edited((m) => { m['formatVersion'] = 3; }), 'ARTIFACT_UNSUPPORTED_VERSION', 'formatVersion');
  });

  it('a version 2 manifest must carry its reference profile', () => {
    assertRefused(edited((m) => { delete m['referenceProfile']; }), 'ARTIFACT_CORRUPT', 'referenceProfile');
  });

  it('fields the format does not know are ignored (a newer writer may add some)', () => {
    const loaded = loadWith(edited((m) => { m['comment'] = 'added by hand'; }));
    assert.equal((loaded.manifest as unknown as Record<string, unknown>)['comment'], undefined);
  });

  it('the committed manifest loads as it is', () => {
    const loaded = loadWith(JSON.parse(original));
    assert.equal(loaded.manifest.referenceProfile?.features.length, loaded.manifest.schema.features.length);
  });
});

describe('the published JSON Schema (docs/model-artifact.schema.json)', () => {
  it('is the one generated from the loader\'s schema: run scripts/manifest-json-schema.mjs after changing it', () => {
    const generated = spawnSync(process.execPath, [join(packageRoot, 'scripts', 'manifest-json-schema.mjs')], { encoding: 'utf8' });
    assert.equal(generated.status, 0, generated.stderr);
    assert.equal(readFileSync(join(packageRoot, 'docs', 'model-artifact.schema.json'), 'utf8'), generated.stdout);
  });
});

describe('churn-predictor info on a manifest without metrics (the report of issue 12)', () => {
  it('exits 1 with ARTIFACT_CORRUPT naming "metrics", no stack trace', () => {
    writeFileSync(join(artifact, MANIFEST_FILE), JSON.stringify(edited((m) => { delete m['metrics']; })));
    const result = spawnSync(process.execPath, [cliPath, 'info', '--model', artifact], { encoding: 'utf8' });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /^error ARTIFACT_CORRUPT: .*"metrics" is missing/);
    assert.doesNotMatch(result.stderr, /TypeError|\n\s+at /);
  });
});
