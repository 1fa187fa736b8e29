import { createHash, createHmac } from 'node:crypto';

/** One logged data-plane call and its answer: what a team retrains from. Alike for every protocol. */
export interface PayloadEntry {
  /** When the answer was ready (ISO). */
  time: string;
  /** The transport's request id (X-Request-Id over HTTP); a random UUID for callers that have none. */
  requestId: string;
  /** The protocol the call came by: rest, v2, grpc, mlflow. */
  protocol: string;
  /** What was asked: one record (predict), a batch with per-record errors (predict_batch), or tensors (infer). */
  operation: 'predict' | 'predict_batch' | 'infer';
  model: { name: string; version: string };
  /** OK, or the catalogue code the call failed with (INVALID_RECORD, BATCH_TOO_LARGE...). */
  outcome: string;
  /** From validation to the answer, in the data plane. */
  latencyMs: number;
  /** `{records: [...]}` as received (decoded from JSON, CSV or tensors), with the options asked for (explain, outputs). */
  request: unknown;
  /** The answer (scores, decisions, per-record errors; infer: the output tensors), or `{error}` for a failed call. */
  response: unknown;
}

export interface Redaction {
  drop: readonly string[];
  hash: readonly string[];
  /** HMAC-SHA256 key; without one a plain sha256 (reversible by trying likely values: set a key). */
  hashKey?: string | undefined;
}

// Records sit at most at depth 2 ({records: [{...}]}, {results: [{...}]}): deeper values are left as they are.
const MAX_DEPTH = 4;

/**
 * A copy of a request or response body with the configured fields dropped or hashed wherever they appear as
 * object keys (a record's customerID, and its echo in the results). Runs off the request path, when the log
 * is written.
 */
export function redacted(value: unknown, redaction: Redaction, depth = 0): unknown {
  if (depth > MAX_DEPTH || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => redacted(item, redaction, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (redaction.drop.includes(key)) continue;
    if (redaction.hash.includes(key) && field !== null && field !== undefined) {
      const text = typeof field === 'string' ? field : JSON.stringify(field);
      out[key] = (redaction.hashKey === undefined ? createHash('sha256') : createHmac('sha256', redaction.hashKey)).update(text).digest('hex');
    } else {
      out[key] = redacted(field, redaction, depth + 1);
    }
  }
  return out;
}
