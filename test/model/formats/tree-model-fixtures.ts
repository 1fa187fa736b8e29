import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../../src/foundation/package-files.js';

/** The parity fixtures of scripts/fixtures/tree-model-fixtures.py: test/fixtures/tree-models/<library>-<version>/. */
export const treeModelFixtures = join(packageRoot, 'test', 'fixtures', 'tree-models');

export interface Expected {
  library: 'xgboost' | 'lightgbm';
  version: string;
  objective: string;
  /** Model files of one booster (JSON and UBJSON of the same XGBoost booster). */
  models: string[];
  features: string[];
  categorical: Record<string, string[]>;
  /** Row ranges [start, end) of each kind of probe: data, threshold, decimal, missing, extreme. */
  probes: Record<string, [number, number]>;
  rows: (number | null)[][];
  /** [rows][groups] */
  margin: number[][];
  /** [rows] or [rows][classes], as predict() returns it. */
  prediction: number[] | number[][];
  /** [rows][groups][features + 1], the bias last. */
  contributions: number[][][];
  /** Records with category names, and what predict() gave for them as a DataFrame. */
  records?: { rows: Record<string, string | number | null>[]; prediction: number[] | number[][] };
}

export interface Fixture { directory: string; name: string; expected: Expected }

export function allFixtures(): Fixture[] {
  return readdirSync(treeModelFixtures).sort().flatMap((directory) => readdirSync(join(treeModelFixtures, directory))
    .filter((f) => f.endsWith('.expected.json')).sort()
    .map((f) => ({
      directory, name: f.slice(0, -'.expected.json'.length),
      expected: JSON.parse(readFileSync(join(treeModelFixtures, directory, f), 'utf8')) as Expected,
    })));
}

export function fixtureFile(fixture: Fixture, model: string): string {
  return join(treeModelFixtures, fixture.directory, model);
}

/** The fixture's rows as a row-major matrix, NaN for missing. */
export function rowMatrix(expected: Pick<Expected, 'rows'>): Float64Array {
  return Float64Array.from(expected.rows.flat(), (v) => v ?? NaN);
}

/** |actual - expected| <= tolerance, relative where |expected| > 1 (the libraries answer in float32 or float64). */
export function close(actual: number, expected: number, tolerance: number): boolean {
  return Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected));
}
