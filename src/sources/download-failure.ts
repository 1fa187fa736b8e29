import type { ErrorCode } from '../errors.js';

/**
 * A failed download attempt. Permanent failures (not found, access denied) are not retried; transient ones
 * (connection errors, 5xx, throttling, truncated bodies) are, with backoff. `code` names the error start-up
 * stops with when it is not the default MODEL_FETCH_FAILED (a model the registry does not have, say).
 */
export class DownloadFailure extends Error {
  constructor(message: string, readonly permanent: boolean, readonly notFound = false, readonly code?: ErrorCode) {
    super(message);
    this.name = 'DownloadFailure';
  }
}
