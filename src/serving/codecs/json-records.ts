import { ChurnError } from '../../errors.js';
import { isJsonObject } from '../../foundation/json-values.js';
import type { BatchOutcome } from '../predictions.js';

/** The records of a JSON batch body `{"records": [...]}`; any other shape is INVALID_BODY. */
export function recordsOfJsonBatch(body: unknown): readonly unknown[] {
  if (!isJsonObject(body)) {
    throw new ChurnError('INVALID_BODY', 'the body must be an object {"records": [...]}', [
      { path: '', reason: 'not_object', message: 'the body must be an object with a "records" array' },
    ]);
  }
  const records = body['records'];
  if (!Array.isArray(records)) {
    throw new ChurnError('INVALID_BODY', 'the body must be an object {"records": [...]}', [
      records === undefined
        ? { path: '/records', reason: 'required', message: 'records is required' }
        : { path: '/records', reason: 'type', message: 'records must be an array' },
    ]);
  }
  return records;
}

/** A JSON body's value; text that is not JSON is MALFORMED_JSON. */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ChurnError('MALFORMED_JSON', 'the request body is not valid JSON');
  }
}

/**
 * The JSON answer of a batch, written straight from its results: the same text the route's schema serializer
 * (fast-json-stringify) writes, in its key order, without its call per property. Undefined when the answer holds
 * what that serializer treats specially (explanations, whose schema drops unknown keys; a probability that is not a
 * finite number): the serializer then writes it.
 */
export function encodeBatchJson(outcome: BatchOutcome): string | undefined {
  if (!Number.isFinite(outcome.threshold)) return undefined;
  const { results } = outcome;
  let text = `{"modelVersion":${JSON.stringify(outcome.modelVersion)},"threshold":${outcome.threshold},"count":${outcome.count},"failed":${outcome.failed},"results":[`;
  for (let i = 0; i < results.length; i++) {
    const entry = results[i]!;
    let item = i === 0 ? '{' : ',{';
    if (entry.customerID !== undefined) item += `"customerID":${JSON.stringify(entry.customerID)},`;
    if ('error' in entry) {
      item += `"error":${JSON.stringify(entry.error)}}`;
    } else {
      if (entry.explanation !== undefined || !Number.isFinite(entry.churnProbability)) return undefined;
      item += `"churnProbability":${entry.churnProbability},"churn":${entry.churn}}`;
    }
    text += item;
  }
  return text + ']}';
}
