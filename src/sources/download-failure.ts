/**
 * A failed download attempt. Permanent failures (not found, access denied) are not retried; transient ones
 * (connection errors, 5xx, throttling, truncated bodies) are, with backoff.
 */
export class DownloadFailure extends Error {
  constructor(message: string, readonly permanent: boolean, readonly notFound = false) {
    super(message);
    this.name = 'DownloadFailure';
  }
}
