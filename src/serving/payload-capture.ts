import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { isChurnError } from '../errors.js';
import type { PayloadEntry } from '../payload-log/payload-entry.js';
import type { PayloadLogger } from '../payload-log/payload-logger.js';
import type { RuntimeOutput } from '../runtimes/model-runtime.js';
import type { MaybePromise } from './maybe-promise.js';
import type { Protocol } from './protocol.js';

/** What the data plane knows of a call when it begins. */
export interface CapturedCall {
  requestId: string | undefined;
  protocol: Protocol;
  operation: PayloadEntry['operation'];
  model: { name: string; version: string };
  request: unknown;
}

/**
 * Runs one sampled data-plane call and offers its payload-log entry once it has answered or failed. The
 * answer is passed through untouched (the transport sends it); the entry keeps references to the records
 * and the answer, which nothing changes afterwards, and is serialised later, in batches, by the logger.
 */
export function captured<T>(logger: PayloadLogger, call: CapturedCall, run: () => MaybePromise<T>, response: (answer: T) => unknown): MaybePromise<T> {
  const started = performance.now();
  const offer = (outcome: string, body: unknown): void => {
    const entry: PayloadEntry = {
      time: new Date().toISOString(),
      requestId: call.requestId ?? randomUUID(),
      protocol: call.protocol,
      operation: call.operation,
      model: call.model,
      outcome,
      latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
      request: call.request,
      response: body,
    };
    logger.offer(entry);
  };
  const failed = (error: unknown): void => {
    // Only catalogue errors are described: an unexpected failure's message may carry internals.
    if (isChurnError(error)) offer(error.code, { error: { code: error.code, message: error.message, details: error.details } });
    else offer('INTERNAL', { error: { code: 'INTERNAL', message: 'internal error' } });
  };
  let answer: MaybePromise<T>;
  try {
    answer = run();
  } catch (error) {
    failed(error);
    throw error;
  }
  if (answer instanceof Promise) {
    return answer.then((value) => {
      offer('OK', response(value));
      return value;
    }, (error: unknown) => {
      failed(error);
      throw error;
    });
  }
  offer('OK', response(answer));
  return answer;
}

/** Output tensors as JSON can hold them (a Float64Array would serialise as an object): V2's shapes and values. */
export function loggedOutputs(rows: number, outputs: readonly RuntimeOutput[]): { name: string; datatype: string; shape: number[]; data: (number | boolean)[] }[] {
  return outputs.map((o) => ({
    name: o.name,
    datatype: o.datatype,
    shape: o.width === 1 ? [rows] : [rows, o.width],
    data: o.datatype === 'BOOL' ? Array.from(o.data, (v) => v !== 0) : Array.from(o.data),
  }));
}
