/** The gRPC status codes (google.rpc.Code) errors map to; the gRPC transport turns names into numbers. */
export type GrpcStatusName = 'INVALID_ARGUMENT' | 'NOT_FOUND' | 'UNAUTHENTICATED' | 'UNAVAILABLE' | 'RESOURCE_EXHAUSTED'
  | 'DEADLINE_EXCEEDED' | 'FAILED_PRECONDITION' | 'UNIMPLEMENTED' | 'INTERNAL';

/**
 * The one catalogue of error codes. Every error the product raises carries a stable code from here,
 * and the code carries its HTTP and gRPC status, so transports map errors without a table of their own.
 * Tests assert on codes, never on messages. Documented in docs/errors.md (a test keeps the two in step).
 */
export const errorCatalogue = {
  // Input records
  INVALID_RECORD: { status: 422, grpc: 'INVALID_ARGUMENT', title: 'One or more fields of a record are invalid' },
  // Training data
  DATA_NOT_FOUND: { status: 400, grpc: 'NOT_FOUND', title: 'The training data file cannot be read' },
  DATA_INVALID: { status: 400, grpc: 'INVALID_ARGUMENT', title: 'The training data file has rows that do not match the feature schema' },
  // Model artifact
  ARTIFACT_NOT_FOUND: { status: 500, grpc: 'INTERNAL', title: 'A model artifact file is missing' },
  ARTIFACT_CORRUPT: { status: 500, grpc: 'INTERNAL', title: 'A model artifact file is truncated or not valid' },
  ARTIFACT_CHECKSUM_MISMATCH: { status: 500, grpc: 'INTERNAL', title: 'A model artifact file does not match its recorded checksum' },
  ARTIFACT_UNSUPPORTED_VERSION: { status: 500, grpc: 'INTERNAL', title: 'The model artifact format version is not supported' },
  ARTIFACT_SCHEMA_MISMATCH: { status: 500, grpc: 'INTERNAL', title: 'The model does not match its feature schema' },
  // Usage
  INVALID_ARGUMENT: { status: 400, grpc: 'INVALID_ARGUMENT', title: 'A command-line argument or option is invalid' },
  // Server configuration
  INVALID_CONFIG: { status: 500, grpc: 'INTERNAL', title: 'An environment variable of the server is invalid; the server does not start' },
  // HTTP requests
  BAD_REQUEST: { status: 400, grpc: 'INVALID_ARGUMENT', title: 'The HTTP request is malformed' },
  MALFORMED_JSON: { status: 400, grpc: 'INVALID_ARGUMENT', title: 'The request body is not valid JSON' },
  MALFORMED_CSV: { status: 400, grpc: 'INVALID_ARGUMENT', title: 'The request body is not valid CSV' },
  UNAUTHORIZED: { status: 401, grpc: 'UNAUTHENTICATED', title: 'A valid API key is required (Authorization: Bearer <key>)' },
  NOT_FOUND: { status: 404, grpc: 'UNIMPLEMENTED', title: 'No route matches the method and path' },
  REQUEST_TIMEOUT: { status: 408, grpc: 'DEADLINE_EXCEEDED', title: 'The client did not send the whole request in time' },
  DEADLINE_EXCEEDED: { status: 504, grpc: 'DEADLINE_EXCEEDED', title: 'The call\'s deadline had passed when the server came to it; no work was done' },
  PAYLOAD_TOO_LARGE: { status: 413, grpc: 'RESOURCE_EXHAUSTED', title: 'The request body is larger than the server accepts' },
  BATCH_TOO_LARGE: { status: 413, grpc: 'RESOURCE_EXHAUSTED', title: 'The batch has more records than the server accepts' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, grpc: 'INVALID_ARGUMENT', title: 'The request body has a content type this route does not accept' },
  INVALID_BODY: { status: 422, grpc: 'INVALID_ARGUMENT', title: 'The request body does not have the expected shape' },
  MODEL_NOT_FOUND: { status: 404, grpc: 'NOT_FOUND', title: 'The request names a model or model version this server does not serve' },
  HEADERS_TOO_LARGE: { status: 431, grpc: 'RESOURCE_EXHAUSTED', title: 'The request headers are larger than the server accepts' },
  INTERNAL: { status: 500, grpc: 'INTERNAL', title: 'An unexpected error occurred in the server' },
  OVERLOADED: { status: 503, grpc: 'UNAVAILABLE', title: 'The server is overloaded; retry after the time in Retry-After' },
  NOT_READY: { status: 503, grpc: 'UNAVAILABLE', title: 'The model is not loaded and warmed up yet' },
  DRAINING: { status: 503, grpc: 'UNAVAILABLE', title: 'The server is shutting down; retry on another instance' },
  // Load testing
  INVALID_PROFILE: { status: 400, grpc: 'INVALID_ARGUMENT', title: 'A traffic profile specification or file is invalid' },
  INVALID_CAPACITY_PROFILE: { status: 400, grpc: 'INVALID_ARGUMENT', title: 'A capacity profile file is missing or not valid' },
  TARGET_UNAVAILABLE: { status: 502, grpc: 'UNAVAILABLE', title: 'The load test target cannot be reached or does not answer as expected' },
  // Autoscaling simulator and planner
  HPA_INPUT_INVALID: { status: 422, grpc: 'INVALID_ARGUMENT', title: 'The autoscaler decision input does not have the expected shape' },
  HPA_NO_METRICS: { status: 422, grpc: 'FAILED_PRECONDITION', title: 'The autoscaler has no usable metric for this decision' },
  MANIFEST_INVALID: { status: 400, grpc: 'INVALID_ARGUMENT', title: 'The Kubernetes manifests cannot be read or lack what the simulator needs' },
  // Bring your own model (runtimes and remote loading)
  ARTIFACT_UNSUPPORTED_FORMAT: { status: 500, grpc: 'INTERNAL', title: 'MODEL_PATH names a model format no runtime reads' },
  MODEL_UNSUPPORTED: { status: 500, grpc: 'INTERNAL', title: 'The model file is readable but uses an objective, booster or tree kind that is not served' },
  MODEL_FETCH_FAILED: { status: 500, grpc: 'INTERNAL', title: 'The model cannot be downloaded from its URL; the server does not start' },
  TRACKING_FAILED: { status: 502, grpc: 'UNAVAILABLE', title: 'The MLflow tracking server did not take the training run, its model or its registration' },
  MODEL_NOT_IN_REGISTRY: { status: 500, grpc: 'INTERNAL', title: 'The MLflow tracking server has no such registered model, version, alias, run or logged model; the server does not start' },
  PACKAGE_NOT_INSTALLED: { status: 500, grpc: 'INTERNAL', title: 'The model needs an optional package that is not installed' },
} as const satisfies Record<string, { status: number; grpc: GrpcStatusName; title: string }>;

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
