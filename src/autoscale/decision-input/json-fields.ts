import type { FieldError } from '../../errors.js';

/**
 * Reads fields of parsed JSON and collects every problem with its JSON Pointer, so one run reports all of them.
 * Readers return a usable placeholder after a problem; callers check `errors` before using the result.
 */
export class JsonFields {
  readonly errors: FieldError[] = [];

  private fail(path: string, reason: FieldError['reason'], message: string): void {
    this.errors.push({ path: path || '/', reason, message });
  }

  object(value: unknown, path: string): Record<string, unknown> {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    this.fail(path, 'not_object', 'must be a JSON object');
    return {};
  }

  array(value: unknown, path: string): unknown[] {
    if (Array.isArray(value)) return value;
    this.fail(path, 'type', 'must be an array');
    return [];
  }

  number(value: unknown, path: string, options: { min?: number; max?: number; integer?: boolean } = {}): number {
    if (value === undefined || value === null) {
      this.fail(path, 'required', 'is required');
      return 0;
    }
    if (typeof value !== 'number') {
      this.fail(path, 'type', 'must be a number');
      return 0;
    }
    if (!Number.isFinite(value)) {
      this.fail(path, 'not_finite', 'must be finite');
      return 0;
    }
    if (options.integer === true && !Number.isInteger(value)) this.fail(path, 'integer', 'must be an integer');
    if (options.min !== undefined && value < options.min) this.fail(path, 'range', `must be at least ${options.min}`);
    if (options.max !== undefined && value > options.max) this.fail(path, 'range', `must be at most ${options.max}`);
    return value;
  }

  optionalNumber(value: unknown, path: string, options: { min?: number; max?: number; integer?: boolean } = {}): number | undefined {
    return value === undefined || value === null ? undefined : this.number(value, path, options);
  }

  boolean(value: unknown, path: string): boolean {
    if (typeof value === 'boolean') return value;
    this.fail(path, value === undefined ? 'required' : 'type', value === undefined ? 'is required' : 'must be true or false');
    return false;
  }

  string(value: unknown, path: string): string {
    if (typeof value === 'string') return value;
    this.fail(path, value === undefined ? 'required' : 'type', value === undefined ? 'is required' : 'must be a string');
    return '';
  }

  oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    this.fail(path, value === undefined ? 'required' : 'category', `must be one of ${allowed.join(', ')}`);
    return allowed[0]!;
  }
}

/** JSON Pointer escaping of one reference token (RFC 6901). */
export const pointer = (base: string, token: string | number) => `${base}/${String(token).replace(/~/g, '~0').replace(/\//g, '~1')}`;
