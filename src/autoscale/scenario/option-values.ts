import { ChurnError } from '../../errors.js';

const bad = (name: string, text: string, expected: string) => new ChurnError('INVALID_ARGUMENT', `--${name} must be ${expected}, got "${text}"`);

/** A non-negative number option; undefined when not given. */
export function numberOption(text: string | undefined, name: string, { min = 0, integer = false } = {}): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw bad(name, text, `${integer ? 'an integer' : 'a number'} >= ${min}`);
  }
  return value;
}

/** A duration as "54ms", "0.5s" or a bare number of milliseconds, in seconds; undefined when not given. */
export function durationOption(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(us|ms|s)?\s*$/.exec(text);
  if (match === null || Number(match[1]) <= 0) throw bad(name, text, 'a positive duration such as 54ms or 0.2s');
  const unit = match[2] ?? 'ms';
  return Number(match[1]) * (unit === 's' ? 1 : unit === 'ms' ? 1e-3 : 1e-6);
}
