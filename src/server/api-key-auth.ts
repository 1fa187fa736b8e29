import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ChurnError } from '../errors.js';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Checks `Authorization: Bearer <key>` against the configured keys in constant time: both sides are
 * hashed to equal length and every key is compared, so timing reveals neither a key nor which matched.
 */
export function apiKeyVerifier(keys: readonly string[]): (authorization: string | undefined) => boolean {
  const digests = keys.map(digest);
  return (authorization) => {
    if (authorization === undefined || authorization.length < 7 || authorization.slice(0, 7).toLowerCase() !== 'bearer ') return false;
    const given = digest(authorization.slice(7).trim());
    let matched = false;
    for (const key of digests) matched = timingSafeEqual(key, given) || matched;
    return matched;
  };
}

/** Requires a valid key on every route of `scope` (an encapsulated plugin context); nothing when no keys are set. */
export function requireApiKey(scope: FastifyInstance, keys: readonly string[]): void {
  if (keys.length === 0) return;
  const verify = apiKeyVerifier(keys);
  scope.addHook('onRequest', (request, _reply, done) => {
    if (verify(request.headers.authorization)) done();
    else done(new ChurnError('UNAUTHORIZED', 'a valid API key is required: Authorization: Bearer <key>'));
  });
}
