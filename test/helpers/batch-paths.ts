import { readFileSync } from 'node:fs';
import { ChurnError } from '../../src/errors.js';
import { bundledDataFile } from '../../src/model/bundled-model.js';
import type { EncodedRows, ModelRuntime } from '../../src/runtimes/model-runtime.js';
import { NativeRuntime } from '../../src/runtimes/native-runtime.js';
import { parseJsonBody, recordsOfJsonBatch } from '../../src/serving/codecs/json-records.js';
import { DataPlane } from '../../src/serving/data-plane.js';
import type { MaybePromise } from '../../src/serving/maybe-promise.js';
import type { BatchOutcome, PredictOptions } from '../../src/serving/predictions.js';
import { bundledModel } from '../server/app-harness.js';

/**
 * Everything a batch path answers, for comparing the one-pass decoders with the reference path they replace: the
 * outcome (every result, probability, id and error) or the error thrown, and what the runtime was given (the encoded
 * matrix, NaN and -0 included, and the records as a runtime reads them).
 */
export interface BatchAnswer {
  outcome?: BatchOutcome;
  error?: { code: string; message: string; details: unknown };
  scored: { x: number[]; records: unknown }[];
}

/** A data plane over the bundled model whose runtime keeps what it is given. */
export function capturingPlane(maxBatchSize: number): { plane: DataPlane; scored: BatchAnswer['scored'] } {
  const native = new NativeRuntime(bundledModel());
  const scored: BatchAnswer['scored'] = [];
  const runtime: ModelRuntime = {
    description: native.description,
    encoder: native.encoder,
    predict: (rows: EncodedRows) => {
      scored.push({ x: Array.from(rows.x), records: rows.records });
      return native.predict(rows);
    },
    explain: (rows: EncodedRows) => native.explain(rows),
    close: () => native.close(),
  };
  return { plane: new DataPlane(runtime, { maxBatchSize }), scored };
}

/** A body as the server receives it: UTF-8 bytes (a text's lone surrogates become U+FFFD on the way, as over HTTP). */
export const bytesOf = (body: string | Buffer): Buffer => (typeof body === 'string' ? Buffer.from(body, 'utf8') : body);

/** Runs one path and records its answer (synchronous: the native model never answers with a promise). */
export function answerOf(run: () => MaybePromise<BatchOutcome>, scored: BatchAnswer['scored']): BatchAnswer {
  scored.length = 0;
  try {
    const outcome = run();
    if (outcome instanceof Promise) throw new Error('the native model must answer synchronously');
    return { outcome, scored: [...scored] };
  } catch (thrown) {
    if (!(thrown instanceof ChurnError)) throw thrown;
    return { error: { code: thrown.code, message: thrown.message, details: thrown.details }, scored: [...scored] };
  }
}

/** The JSON batch through the reference path: JSON.parse, recordsOfJsonBatch, predictBatch. */
export function referenceJson(plane: DataPlane, text: string, options: PredictOptions = {}): MaybePromise<BatchOutcome> {
  return plane.predictBatch(recordsOfJsonBatch(parseJsonBody(text)), options, 'rest');
}

/** The CSV batch through the reference path: csv-parse (decodeCsv), predictBatch with `/rows` paths. */
export function referenceCsv(plane: DataPlane, text: string, options: PredictOptions = {}): MaybePromise<BatchOutcome> {
  return plane.predictBatch(plane.decodeCsv(text, 'rest'), { ...options, pointer: '/rows' }, 'rest');
}

let dataLines: string[] | undefined;

/** The bundled data file's lines: its header, then one customer per line (no quoted cells). */
export function dataFileLines(): string[] {
  dataLines ??= readFileSync(bundledDataFile, 'utf8').split('\n').filter((line) => line !== '');
  return dataLines;
}
