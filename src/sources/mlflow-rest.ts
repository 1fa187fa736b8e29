import type { ErrorCode } from '../errors.js';
import { isJsonObject } from '../foundation/json-values.js';
import { DownloadFailure } from './download-failure.js';

/** Credentials as MLflow's clients take them: HTTP Basic when a username is set, else a bearer token. */
export type MlflowCredentials = { readonly username: string; readonly password: string } | { readonly token: string };

/** How to reach an MLflow tracking server (MLFLOW_TRACKING_URI and its credentials). */
export interface MlflowConnection {
  /** http(s)://host[:port][/prefix]; the REST API lives under `<trackingUri>/api/2.0/`. */
  readonly trackingUri: string;
  readonly credentials?: MlflowCredentials;
}

/** The Authorization header for the connection's credentials (none without credentials). */
export function authorizationHeaders(connection: MlflowConnection): Record<string, string> {
  const credentials = connection.credentials;
  if (credentials === undefined) return {};
  if ('username' in credentials) return { authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` };
  return { authorization: `Bearer ${credentials.token}` };
}

/** The variables that hold the credentials in use, for messages about them (never their values). */
export function credentialVariables(connection: MlflowConnection): string {
  const credentials = connection.credentials;
  if (credentials === undefined) return 'no credentials (MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD or MLFLOW_TRACKING_TOKEN unset)';
  return 'username' in credentials ? 'MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD' : 'MLFLOW_TRACKING_TOKEN';
}

/** `<trackingUri>/api/2.0/<path>`, keeping a path prefix the tracking URI may have (`https://host/mlflow`). */
export function apiUrl(connection: MlflowConnection, path: string): URL {
  return new URL(`${connection.trackingUri.replace(/\/+$/, '')}/api/2.0/${path.replace(/^\/+/, '')}`);
}

export interface MlflowRequest {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  query?: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
  /** The error code a "does not exist" answer stops start-up with (default MODEL_NOT_IN_REGISTRY). */
  notFoundCode?: ErrorCode;
}

interface MlflowErrorBody {
  error_code?: string;
  message?: string;
}

/**
 * One call of the MLflow REST API (`<trackingUri>/api/2.0/<path>`), JSON in and out. Failures are DownloadFailures,
 * so the caller's retry policy applies: unreachable server, 5xx, 408 and 429 are transient; refused credentials,
 * unknown resources and other 4xx are permanent, with a message that names what to fix.
 */
export async function mlflowRequest<T>(connection: MlflowConnection, path: string, request: MlflowRequest): Promise<T> {
  const url = apiUrl(connection, path);
  for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, value);
  const method = request.method ?? 'GET';
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      redirect: 'follow',
      signal: AbortSignal.timeout(request.timeoutMs),
      headers: { accept: 'application/json', ...authorizationHeaders(connection), ...(request.body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
    });
  } catch (cause) {
    throw unreachable(connection, cause);
  }
  const text = await response.text().catch(() => '');
  if (response.ok) {
    try {
      return (text === '' ? {} : JSON.parse(text)) as T;
    } catch {
      throw new DownloadFailure(`${method} ${url.pathname} answered ${response.status} with a body that is not JSON: is MLFLOW_TRACKING_URI an MLflow tracking server?`, true);
    }
  }
  throw mlflowFailure(connection, `${method} ${url.pathname}`, response.status, text, request.notFoundCode ?? 'MODEL_NOT_IN_REGISTRY');
}

/** A request that got no answer (refused, reset, timed out): worth another attempt. */
export function unreachable(connection: MlflowConnection, cause: unknown): DownloadFailure {
  const reason = (cause as Error).cause instanceof Error ? ((cause as Error).cause as Error).message : (cause as Error).message;
  return new DownloadFailure(`cannot reach the MLflow tracking server at MLFLOW_TRACKING_URI ${connection.trackingUri} (${reason})`, false);
}

/** A failed MLflow answer as a DownloadFailure (also used for the artifact proxy's file downloads). */
export function mlflowFailure(connection: MlflowConnection, what: string, status: number, text: string, notFoundCode: ErrorCode): DownloadFailure {
  let body: MlflowErrorBody = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (isJsonObject(parsed)) body = parsed as MlflowErrorBody;
  } catch {
    // Not an MLflow error body (a proxy's HTML page, say): the status says enough.
  }
  const detail = body.message === undefined ? '' : `: ${body.message.split('\n')[0]}`;
  if (status >= 500 || status === 408 || status === 429) return new DownloadFailure(`${what}: HTTP ${status}${detail}`, false);
  if (status === 401) return new DownloadFailure(`the tracking server refused ${credentialVariables(connection)} (HTTP 401)`, true);
  if (status === 403) return new DownloadFailure(`permission denied for ${credentialVariables(connection)} (HTTP 403)${detail}`, true);
  if (body.error_code === 'RESOURCE_DOES_NOT_EXIST' || (status === 400 && body.error_code === 'INVALID_PARAMETER_VALUE' && /not found|does not exist/i.test(body.message ?? ''))) {
    return new DownloadFailure(body.message?.split('\n')[0] ?? `${what}: not found`, true, true, notFoundCode);
  }
  if (status === 404) {
    return new DownloadFailure(`${what}: HTTP 404${detail}: is MLFLOW_TRACKING_URI ${connection.trackingUri} an MLflow tracking server (2.3 or later for aliases)?`, true, true);
  }
  return new DownloadFailure(`${what}: HTTP ${status}${body.error_code === undefined ? '' : ` ${body.error_code}`}${detail}`, true);
}
