/** A value now (in-process runtimes) or later (ONNX Runtime). */
export type MaybePromise<T> = T | Promise<T>;

/**
 * Continues with `next` at once when `value` is already there, so synchronous runtimes never pay for a
 * promise; otherwise when it resolves. A synchronous throw stays synchronous.
 */
export function then<T, U>(value: MaybePromise<T>, next: (value: T) => MaybePromise<U>): MaybePromise<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/**
 * Runs `action` once `value` is settled: at once for a value, when a promise resolves or rejects otherwise (the
 * rejection stays the caller's to handle: this adds no handler that hides it).
 */
export function whenSettled(value: MaybePromise<unknown>, action: () => void): void {
  if (value instanceof Promise) value.then(action, action);
  else action();
}
