import type { Readable } from 'node:stream';
import { transportError } from './http-errors.js';

// Buffers kept for reuse: about one per connection sending batches, and no more bytes than a few batches of
// 10,000 records, so one very large body does not stay pinned after its request.
const KEPT_BUFFERS = 4;
const KEPT_BYTES = 8 * 2 ** 20;
// A new buffer is sized to the next power of two (at least this), so the next body, a few bytes longer, still fits.
const SMALLEST_BYTES = 64 * 2 ** 10;

function sizeFor(length: number): number {
  return Math.max(SMALLEST_BYTES, 2 ** Math.ceil(Math.log2(Math.max(length, 1))));
}

/**
 * Reusable buffers for request bodies that are read whole and then decoded in one go (batches). Node hands a body
 * over in chunks, each its own ArrayBuffer, and joining them makes one more the size of the body: memory outside
 * V8's heap that is given back only when a collection finds the buffers dead. At hundreds of 500 KB batches a
 * second that was most of the server's resident memory under batch load, and the collections it forced cost a
 * quarter of a batch's CPU (docs/server.md, Memory). Copying each chunk into a kept buffer as it arrives leaves
 * the chunks to die young and makes no joined copy.
 */
export class BodyBuffers {
  private readonly free: Buffer[] = [];
  private keptBytes = 0;

  /** A buffer of at least `length` bytes: a kept one when one is large enough, else a new one. Its contents are stale. */
  take(length: number): Buffer {
    const free = this.free;
    for (let i = 0; i < free.length; i++) {
      const buffer = free[i]!;
      if (buffer.length >= length) {
        free.splice(i, 1);
        this.keptBytes -= buffer.length;
        return buffer;
      }
    }
    return Buffer.allocUnsafeSlow(sizeFor(length));
  }

  /** Gives a buffer back once nothing reads it any more; kept while there is room. */
  give(buffer: Buffer): void {
    if (this.free.length >= KEPT_BUFFERS || this.keptBytes + buffer.length > KEPT_BYTES) return;
    this.free.push(buffer);
    this.keptBytes += buffer.length;
  }

  /** Bytes held for reuse (for tests). */
  get kept(): number {
    return this.keptBytes;
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
