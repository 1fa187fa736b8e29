import { ChurnError } from '../../errors.js';
import type { PredictOptions } from '../../serving/predictions.js';

/** The `explain` query parameter of both predict routes, as documented. */
export const explainQuery = {
  type: 'object',
  properties: { explain: { type: 'string', enum: ['true', 'false', '1', '0'], description: 'Add exact per-feature contributions and top reasons' } },
};

const NO_OPTIONS: PredictOptions = {};
const EXPLAIN: PredictOptions = { explain: true };

/** The `explain` query parameter: true (or 1) asks for explanations; false, 0 or absent leaves them out; anything else is a 400. */
export function predictOptions(explain: unknown): PredictOptions {
  if (explain === undefined || explain === 'false' || explain === '0') return NO_OPTIONS;
  if (explain === 'true' || explain === '1') return EXPLAIN;
  throw new ChurnError('BAD_REQUEST', 'query parameter "explain" must be true, false, 1 or 0', [{ path: '/explain', reason: 'type', message: 'must be true, false, 1 or 0' }]);
}

export function noBody(): ChurnError {
  return new ChurnError('UNSUPPORTED_MEDIA_TYPE', 'send a JSON body with Content-Type: application/json');
}

export const explainOf = (query: unknown): unknown => (query as { explain?: unknown } | undefined)?.explain;
