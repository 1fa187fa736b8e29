/**
 * Why a request failed, as a stable word reports and SLOs count by. `http_status` is a response outside 2xx
 * (its status is counted separately); `dropped` is an arrival never sent because too many requests were
 * already outstanding (the server had fallen far behind; counting it keeps the open-loop promise honest).
 */
export type ErrorKind = 'http_status' | 'timeout' | 'connection_refused' | 'connection_closed' | 'dropped' | 'other';

export const errorKinds: readonly ErrorKind[] = ['http_status', 'timeout', 'connection_refused', 'connection_closed', 'dropped', 'other'];

const kindByCode: Record<string, ErrorKind> = {
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  ETIMEDOUT: 'timeout',
  ECONNREFUSED: 'connection_refused',
  UND_ERR_SOCKET: 'connection_closed',
  UND_ERR_CLOSED: 'connection_closed',
  ECONNRESET: 'connection_closed',
  EPIPE: 'connection_closed',
};

/** Classifies a transport error from undici or the socket layer. */
export function errorKindOf(error: unknown): ErrorKind {
  const e = error as { code?: unknown; errors?: unknown[]; cause?: unknown } | null;
  if (e === null || typeof e !== 'object') return 'other';
  if (typeof e.code === 'string' && e.code in kindByCode) return kindByCode[e.code]!;
  // Connecting to "localhost" tries IPv6 and IPv4 and fails with an AggregateError of both.
  const inner = e.errors?.[0] ?? e.cause;
  return inner !== undefined && inner !== error ? errorKindOf(inner) : 'other';
}
