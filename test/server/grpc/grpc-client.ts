import { credentials, makeGenericClientConstructor, Metadata, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { RETRY_PUSHBACK_KEY, STATUS_DETAILS_KEY } from '../../../src/server/grpc/grpc-errors.js';
import { errorDetailProtos, INFERENCE_SERVICE, inferenceProtos, serviceDefinition } from '../../../src/server/grpc/protocol-buffers.js';

/**
 * A grpc-js client of our gRPC endpoint for the node tests (the real clients, tritonclient and KServe's SDK, run
 * in test/clients/), answering every call as data: the status code's name, the message, the response, and the
 * standard error details decoded from grpc-status-details-bin.
 */
export interface GrpcAnswer<T = Record<string, any>> {
  code: keyof typeof status;
  message: string;
  response?: T;
  /** ErrorInfo: reason (the catalogue code) and metadata (requestId). */
  errorInfo?: { reason: string; domain: string; metadata: Record<string, string> };
  /** RetryInfo's delay, in seconds. */
  retryDelaySeconds?: number;
  /** BadRequest's field violations. */
  fieldViolations?: { field: string; description: string }[];
  /** grpc-retry-pushback-ms. */
  pushbackMs?: number;
  trailers: Metadata;
}

export interface CallOptions {
  metadata?: Record<string, string>;
  /** Milliseconds from now; a date in the past makes an expired deadline. */
  deadline?: Date | number;
}

const codeNames = Object.fromEntries(Object.entries(status).filter(([, v]) => typeof v === 'number').map(([k, v]) => [v, k])) as Record<number, keyof typeof status>;
const Status = errorDetailProtos.lookupType('google.rpc.Status');

/** The standard details of a failed call's trailers. */
function details(trailers: Metadata): Pick<GrpcAnswer, 'errorInfo' | 'retryDelaySeconds' | 'fieldViolations' | 'pushbackMs'> {
  const out: ReturnType<typeof details> = {};
  const pushback = trailers.get(RETRY_PUSHBACK_KEY)[0];
  if (typeof pushback === 'string') out.pushbackMs = Number(pushback);
  const bytes = trailers.get(STATUS_DETAILS_KEY)[0];
  if (!Buffer.isBuffer(bytes)) return out;
  const decoded = Status.toObject(Status.decode(bytes), { longs: Number }) as { details?: { type_url: string; value: Uint8Array }[] };
  for (const any of decoded.details ?? []) {
    const type = errorDetailProtos.lookupType(any.type_url.replace('type.googleapis.com/', ''));
    const value = type.toObject(type.decode(any.value), { longs: Number, defaults: true }) as Record<string, any>;
    if (type.name === 'ErrorInfo') out.errorInfo = value as GrpcAnswer['errorInfo'];
    if (type.name === 'RetryInfo') out.retryDelaySeconds = Number(value['retry_delay']?.seconds ?? 0) + Number(value['retry_delay']?.nanos ?? 0) / 1e9;
    if (type.name === 'BadRequest') out.fieldViolations = value['field_violations'];
  }
  return out;
}

function metadataOf(values: Record<string, string> = {}): Metadata {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(values)) metadata.set(key, value);
  return metadata;
}

/** Calls a unary method and answers its outcome, never rejecting for a status. */
function ask(client: Client, method: string, request: unknown, options: CallOptions = {}): Promise<GrpcAnswer> {
  return new Promise((resolve, reject) => {
    let trailers = new Metadata();
    const deadline = options.deadline === undefined ? Date.now() + 10_000 : options.deadline instanceof Date ? options.deadline : Date.now() + options.deadline;
    const call = (client as unknown as Record<string, (...args: unknown[]) => { on(event: string, listener: (value: { metadata: Metadata }) => void): void }>)[method]!(
      request, metadataOf(options.metadata), { deadline },
      (error: ServiceError | null, response: Record<string, any>) => {
        if (error !== null) {
          try {
            resolve({ code: codeNames[error.code] ?? 'UNKNOWN', message: error.details, trailers: error.metadata, ...details(error.metadata) });
          } catch (undecodable) {
            reject(undecodable as Error);
          }
          return;
        }
        // The status event (with the trailers) can come after the callback: give it a turn.
        setImmediate(() => resolve({ code: 'OK', message: '', response, trailers }));
      },
    );
    call.on('status', (value) => { trailers = value.metadata; });
  });
}

export interface InferenceClient {
  call(method: string, request: unknown, options?: CallOptions): Promise<GrpcAnswer>;
  health(service?: string): Promise<GrpcAnswer>;
  /** grpc.health.v1.Health/List: every service's status. */
  healthList(): Promise<GrpcAnswer>;
  /** The statuses a Watch stream reports, until `until` returns true for one. */
  watch(service: string, until: (status: string) => boolean, onStatus?: (status: string) => void): Promise<string[]>;
  close(): void;
}

const InferenceClient = makeGenericClientConstructor(serviceDefinition(inferenceProtos, INFERENCE_SERVICE), 'GRPCInferenceService');
const HealthClient = makeGenericClientConstructor(healthService, 'Health');

export function inferenceClient(port: number): InferenceClient {
  const address = `127.0.0.1:${port}`;
  const client = new InferenceClient(address, credentials.createInsecure());
  const health = new HealthClient(address, credentials.createInsecure());
  return {
    call: (method, request, options) => ask(client, method, request, options),
    health: (service = '') => ask(health, 'check', { service }),
    healthList: () => ask(health, 'list', {}),
    watch: (service, until, onStatus) => new Promise((resolve, reject) => {
      const seen: string[] = [];
      const stream = (health as unknown as { watch(request: object): NodeJS.EventEmitter & { cancel(): void } }).watch({ service });
      stream.on('data', (message: { status: string }) => {
        seen.push(message.status);
        onStatus?.(message.status);
        if (until(message.status)) {
          stream.cancel();
          resolve(seen);
        }
      });
      stream.on('error', (error: ServiceError) => (error.code === status.CANCELLED ? resolve(seen) : reject(error)));
    }),
    close: () => {
      client.close();
      health.close();
    },
  };
}

/** A protobufjs int64 (Long) or number as a number. */
export function num(value: unknown): number {
  return typeof value === 'number' ? value : Number((value as { toString(): string }).toString());
}
