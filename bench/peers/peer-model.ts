/**
 * The model every peer serves (bench/peers/model, trained by train_xgboost.py) and the rows sent to it:
 * raw Telco records, and the same records encoded the way the model reads them (numerics as they are,
 * one-hot columns named "<column>=<category>", in the manifest's input order).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsvRecords } from '../../src/features/csv-records.js';
import { telcoChurnSchema } from '../../src/features/telco-schema.js';
import { bundledDataFile } from '../../src/model/bundled-model.js';
import { packageRoot } from '../../src/foundation/package-files.js';

export const peerModelDirectory = join(packageRoot, 'bench', 'peers', 'model');
export const peerModelFile = join(peerModelDirectory, 'churn-xgb.json');
export const peerModelName = 'churn-xgb';

/** A customer as a client sends it: id and the 19 features (numbers, strings, null for missing). */
export type RawRecord = Record<string, string | number | null>;

export interface CheckRow {
  record: RawRecord;
  /** The vector XGBoost scored (null = missing), as the training script encoded it. */
  features: (number | null)[];
  /** XGBoost's own probability for it. */
  probability: number;
}

export interface CheckRows {
  xgboostVersion: string;
  rounds: number;
  inputs: string[];
  rows: CheckRow[];
}

export function readCheckRows(): CheckRows {
  return JSON.parse(readFileSync(join(peerModelDirectory, 'check-rows.json'), 'utf8')) as CheckRows;
}

export function readModelInputs(): string[] {
  const manifest = JSON.parse(readFileSync(join(peerModelDirectory, 'churn-xgb.manifest.json'), 'utf8')) as { inputs: string[] };
  return manifest.inputs;
}

/** Encodes a raw record into the model's input vector; a missing numeric is null. */
export function encodeRecord(record: RawRecord, inputs: readonly string[]): (number | null)[] {
  return inputs.map((input) => {
    const split = input.indexOf('=');
    if (split >= 0) return record[input.slice(0, split)] === input.slice(split + 1) ? 1 : 0;
    const value = record[input];
    if (value === null || value === undefined || value === '') return null;
    const number = Number(value);
    if (!Number.isFinite(number)) throw new Error(`record ${String(record['customerID'])}: ${input} is not a number (${String(value)})`);
    return number;
  });
}

/** Every customer of the bundled data file, without the label. */
export function dataRecords(): RawRecord[] {
  const fields = [telcoChurnSchema.idField, ...telcoChurnSchema.features.map((f) => f.name)];
  return parseCsvRecords(readFileSync(bundledDataFile, 'utf8'), telcoChurnSchema).records
    .map((row) => Object.fromEntries(fields.map((f) => [f, (row[f] ?? null) as string | number | null])));
}
