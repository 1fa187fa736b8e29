import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Checks `Authorization: Bearer <key>` (HTTP header or gRPC metadata) against the configured keys in constant
 * time: both sides are hashed to equal length and every key is compared, so timing reveals neither a key nor
 * which one matched.
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
