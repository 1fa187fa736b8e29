/**
 * The one catalogue of error codes. Every error the product raises carries a stable code from here,
 * and the code carries its HTTP status, so transports map errors without a table of their own.
 * Tests assert on codes, never on messages. Documented in docs/errors.md (a test keeps the two in step).
 */
export const errorCatalogue = {
  // Input records
  INVALID_RECORD: { status: 422, title: 'One or more fields of a record are invalid' },
  // Training data
  DATA_NOT_FOUND: { status: 400, title: 'The training data file cannot be read' },
  DATA_INVALID: { status: 400, title: 'The training data file has rows that do not match the feature schema' },
  // Model artifact
  ARTIFACT_NOT_FOUND: { status: 500, title: 'A model artifact file is missing' },
  ARTIFACT_CORRUPT: { status: 500, title: 'A model artifact file is truncated or not valid' },
  ARTIFACT_CHECKSUM_MISMATCH: { status: 500, title: 'A model artifact file does not match its recorded checksum' },
  ARTIFACT_UNSUPPORTED_VERSION: { status: 500, title: 'The model artifact format version is not supported' },
  ARTIFACT_SCHEMA_MISMATCH: { status: 500, title: 'The model does not match its feature schema' },
  // Usage
  INVALID_ARGUMENT: { status: 400, title: 'A command-line argument or option is invalid' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

/** Why a field failed, as a stable word tests and clients can branch on. */
export type FieldReason = 'not_object' | 'required' | 'type' | 'not_finite' | 'range' | 'integer' | 'category';

/** One failing field, addressed by a JSON Pointer (RFC 6901) into the request, e.g. `/records/3/tenure`. */
export interface FieldError {
  path: string;
  reason: FieldReason;
  message: string;
}

export class ChurnError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: readonly FieldError[];

  constructor(code: ErrorCode, message: string, details: readonly FieldError[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ChurnError';
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.details = details;
  }
}

export function isChurnError(value: unknown): value is ChurnError {
  return value instanceof ChurnError;
}
