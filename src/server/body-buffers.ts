import type { Readable } from 'node:stream';
import { KeptArrays } from '../foundation/kept-arrays.js';
import { transportError } from './http-errors.js';

// About one buffer per connection sending batches, and no more bytes than a few batches of 10,000 records. A body
// is read into one as it arrives: Node hands it over in chunks, each its own ArrayBuffer, and joining them would
// make one more the size of the body; read this way the chunks die young and no joined copy is made.
const SMALLEST_BYTES = 64 * 2 ** 10;

/** Reusable buffers for request bodies that are read whole and then decoded in one go (batches). */
export class BodyBuffers extends KeptArrays<Buffer> {
  constructor() {
    super((length) => Buffer.allocUnsafeSlow(length), { arrays: 4, bytes: 8 * 2 ** 20, smallestLength: SMALLEST_BYTES });
  }
}

/** A request body read into a kept buffer: `bytes` is valid until `release()`, which gives the buffer back (once). */
export class PooledBody {
  private buffer: Buffer | undefined;

  constructor(private readonly buffers: BodyBuffers, buffer: Buffer, readonly bytes: Buffer) {
    this.buffer = buffer;
  }

  readonly release = (): void => {
    const buffer = this.buffer;
    if (buffer === undefined) return;
    this.buffer = undefined;
    this.buffers.give(buffer);
  };
}

/**
 * Reads a whole request body into a kept buffer, with the checks Fastify's own body reading makes: over `limit`
 * bytes (by Content-Length, or while streaming) is PAYLOAD_TOO_LARGE, a body shorter or longer than its
 * Content-Length is BAD_REQUEST, and a stream error (the client went away) is passed on with status 400.
 */
export function readPooledBody(
  payload: Readable, contentLengthHeader: string | undefined, limit: number, buffers: BodyBuffers,
  done: (error: Error | null, body?: PooledBody) => void,
): void {
  const contentLength = Number(contentLengthHeader);
  const known = contentLengthHeader !== undefined && Number.isFinite(contentLength);
  if (known && contentLength > limit) {
    done(transportError('PAYLOAD_TOO_LARGE'));
    return;
  }
  let buffer = buffers.take(known ? contentLength : SMALLEST_BYTES);
  let received = 0;
  const finish = (error: Error | null, body?: PooledBody): void => {
    payload.removeListener('data', onData);
    payload.removeListener('end', onEnd);
    payload.removeListener('error', onError);
    if (error !== null) buffers.give(buffer);
    done(error, body);
  };
  const onData = (chunk: Buffer | string): void => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const length = received + bytes.length;
    if (length > limit) {
      finish(transportError('PAYLOAD_TOO_LARGE'));
      return;
    }
    if (length > buffer.length) {
      const grown = buffers.take(length);
      buffer.copy(grown, 0, 0, received);
      buffers.give(buffer);
      buffer = grown;
    }
    bytes.copy(buffer, received);
    received = length;
  };
  const onEnd = (): void => {
    if (known && received !== contentLength) {
      finish(transportError('BAD_REQUEST'));
      return;
    }
    finish(null, new PooledBody(buffers, buffer, buffer.subarray(0, received)));
  };
  const onError = (error: Error & { statusCode?: number }): void => {
    if (!(typeof error.statusCode === 'number' && error.statusCode >= 400)) error.statusCode = 400;
    finish(error);
  };
  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', onError);
  payload.resume();
}
