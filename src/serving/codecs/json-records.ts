import { ChurnError } from '../../errors.js';
import { isJsonObject } from '../../foundation/json-values.js';

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
