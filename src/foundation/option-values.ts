import { ChurnError } from '../errors.js';

/** Command-line option values, parsed once for every command: a bad value is INVALID_ARGUMENT naming the option. */

const bad = (name: string, text: string, expected: string) => new ChurnError('INVALID_ARGUMENT', `--${name} must be ${expected}, got "${text}"`);

/** A number option within [min, max] (default: non-negative); undefined when not given. */
export function numberOption(text: string | undefined, name: string, { min = 0, max = Number.POSITIVE_INFINITY, integer = false } = {}): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    const kind = integer ? 'an integer' : 'a number';
    throw bad(name, text, max === Number.POSITIVE_INFINITY ? `${kind} >= ${min}` : `${kind} within ${min}..${max}`);
  }
  return value;
}

/** A seed option: an integer within 0..2^32-1. */
export function seedOption(text: string, name = 'seed'): number {
  return numberOption(text, name, { integer: true, max: 0xffffffff })!;
}

/** A duration as "54ms", "0.5s" or a bare number of milliseconds, in seconds; undefined when not given. */
export function durationOption(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(us|ms|s)?\s*$/.exec(text);
  if (match === null || Number(match[1]) <= 0) throw bad(name, text, 'a positive duration such as 54ms or 0.2s');
  const unit = match[2] ?? 'ms';
  return Number(match[1]) * (unit === 's' ? 1 : unit === 'ms' ? 1e-3 : 1e-6);
}
