import { Metadata, status, type ServerErrorResponse } from '@grpc/grpc-js';
import { errorCatalogue, type ChurnError } from '../../errors.js';
import { isRetryable, RETRY_AFTER_SECONDS } from '../http-errors.js';
import { asBuffer, errorDetailProtos } from './protocol-buffers.js';

/** ErrorInfo's domain: whose catalogue the reason (the error code) comes from. */
export const ERROR_DOMAIN = 'churn-predictor';
/** Where gRPC carries a google.rpc.Status with details. */
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
/** gRPC's retry pushback (gRFC A6): a client retrying under a retry policy waits this long. */
export const RETRY_PUSHBACK_KEY = 'grpc-retry-pushback-ms';
export const REQUEST_ID_KEY = 'x-request-id';

const Status = errorDetailProtos.lookupType('google.rpc.Status');
const ErrorInfo = errorDetailProtos.lookupType('google.rpc.ErrorInfo');
const RetryInfo = errorDetailProtos.lookupType('google.rpc.RetryInfo');
const BadRequest = errorDetailProtos.lookupType('google.rpc.BadRequest');

// Field details shown in the status message; all of them are in the BadRequest detail.
const DETAILS_IN_MESSAGE = 5;

function any(type: { fullName: string; encode(value: object): { finish(): Uint8Array } }, value: object): { type_url: string; value: Uint8Array } {
  return { type_url: `type.googleapis.com/${type.fullName.replace(/^\./, '')}`, value: type.encode(value).finish() };
}

/** The status message: the error's, with its first field errors (as V2 REST writes them). */
export function statusMessage(error: ChurnError): string {
  const shown = error.details.slice(0, DETAILS_IN_MESSAGE).map((d) => `${d.path}: ${d.message}`).join('; ');
  const more = error.details.length > DETAILS_IN_MESSAGE ? `; … ${error.details.length - DETAILS_IN_MESSAGE} more` : '';
  return shown === '' ? error.message : `${error.message}: ${shown}${more}`;
}

/**
 * A catalogue error as a gRPC status: the code from the catalogue's `grpc` column, the message, and trailers any
 * gRPC client's status helpers read — a google.rpc.Status in grpc-status-details-bin holding an ErrorInfo (reason:
 * the catalogue code), a BadRequest with every invalid field, and for refusals worth retrying (shed, not ready) a
 * RetryInfo, with grpc-retry-pushback-ms for clients that retry by policy (KServe's InferenceGRPCClient does).
 */
export function grpcErrorOf(error: ChurnError, requestId: string): ServerErrorResponse {
  const code = status[errorCatalogue[error.code].grpc];
  const message = statusMessage(error);
  const metadata = new Metadata();
  const details = [any(ErrorInfo, { reason: error.code, domain: ERROR_DOMAIN, metadata: { requestId } })];
  if (error.details.length > 0) {
    details.push(any(BadRequest, { field_violations: error.details.map((d) => ({ field: d.path, description: d.message })) }));
  }
  if (isRetryable(error.code)) {
    details.push(any(RetryInfo, { retry_delay: { seconds: RETRY_AFTER_SECONDS, nanos: 0 } }));
    metadata.set(RETRY_PUSHBACK_KEY, String(RETRY_AFTER_SECONDS * 1000));
  }
  metadata.set(STATUS_DETAILS_KEY, asBuffer(Status.encode({ code, message, details }).finish()));
  metadata.set(REQUEST_ID_KEY, requestId);
  return { name: error.code, message, code, details: message, metadata };
}
