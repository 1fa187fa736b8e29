import { createHash, createHmac } from 'node:crypto';

/** One logged request and its response: what a team retrains from. */
export interface PayloadEntry {
  /** When the response was sent (ISO). */
  time: string;
  requestId: string;
  model: { name: string; version: string };
  /** Route pattern: /predict or /predict/batch. */
  endpoint: string;
  status: number;
  latencyMs: number;
  /** The request body as parsed (records carry the inputs), and the response body (scores, decisions, errors). */
  request: unknown;
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
