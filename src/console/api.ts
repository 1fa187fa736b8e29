import type { Explanation } from '../explain/explanation.js';
import type { FeatureSchema } from '../features/schema.js';
import { storedApiKey } from './api-key.js';

/** The server's error body (docs/errors.md): a stable code, a message, and field errors with JSON Pointer paths. */
export interface FieldError {
  path: string;
  reason: string;
  message: string;
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details: FieldError[] = [], readonly retryAfterSeconds?: number) {
    super(message);
  }
}

export interface ConsoleSettings {
  apiKeyRequired: boolean;
  scoresRecords: boolean;
  explains: boolean;
  maxBatchSize: number;
  bodyLimitBytes: number;
  schema: FeatureSchema;
}

export interface Prediction {
  customerID?: string;
  churnProbability: number;
  churn: boolean;
  threshold: number;
  modelVersion: string;
  explanation?: Explanation;
}

export type BatchEntry =
  | { customerID?: string; churnProbability: number; churn: boolean }
  | { customerID?: string; error: { code: string; message: string; details: FieldError[] } };

export interface BatchAnswer {
  modelVersion: string;
  threshold: number;
  count: number;
  failed: number;
  results: BatchEntry[];
}

export interface GlobalImportance {
  records: number;
  invalid: number;
  baseValue: number;
  features: { feature: string; meanAbsolute: number; meanSigned: number }[];
}

/** One feature's drift in GET /model/drift (src/monitoring/drift-monitor.ts), as far as the console reads it. */
export interface FeatureDriftView {
  name: string;
  kind: 'categorical' | 'numeric';
  binned: boolean;
  psi: number;
  jensenShannon: number;
  missingShare: number;
  referenceMissingShare: number;
  outOfRangeShare: number;
  refused: Record<string, number>;
}

/** GET /model/drift: the window against the training profile, or why there is none. */
export type DriftReport =
  | { available: false; reason: string; model: { name: string; version: string } }
  | {
    available: true;
    model: { name: string; version: string };
    window: { kind: 'records'; size: number; records: number } | { kind: 'time'; seconds: number; records: number };
    enoughData: boolean;
    minimumRecords: number;
    thresholds: { moderate: number; significant: number };
    reference: { source: string; rows: number };
    score: { psi: number; jensenShannon: number; mean: number | null };
    features: FeatureDriftView[];
    refusedRecords: number;
  };

/** GET /model: the serving core's card (src/serving/model-card.ts), common facts then what the model carries; the console shows what is there. */
export type ModelCard = Record<string, unknown> & { name: string; version: string };

async function errorOf(response: Response): Promise<ApiError> {
  const retry = Number(response.headers.get('retry-after'));
  try {
    const body = await response.json() as { error?: { code?: string; message?: string; details?: FieldError[] } };
    const error = body.error;
    if (error !== undefined && typeof error.code === 'string') {
      return new ApiError(response.status, error.code, error.message ?? error.code, error.details ?? [], Number.isFinite(retry) && retry > 0 ? retry : undefined);
    }
  } catch {
    // not the error body: fall through
  }
  return new ApiError(response.status, `HTTP_${response.status}`, `the server answered ${response.status} ${response.statusText}`);
}

/** Calls the server this page came from, with the tab's API key when there is one. */
async function call(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const key = storedApiKey();
  if (key !== undefined) headers.set('authorization', `Bearer ${key}`);
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK', 'the server cannot be reached: check that it is running and your connection');
  }
  if (!response.ok) throw await errorOf(response);
  return response;
}

const json = async <T>(path: string, init?: RequestInit): Promise<T> => (await call(path, init)).json() as Promise<T>;

export const api = {
  settings: () => json<ConsoleSettings>('/console/settings'),
  model: () => json<ModelCard>('/model'),
  sampleCustomer: () => json<{ record: Record<string, unknown>; synthetic: boolean }>('/console/sample-customer'),
  importance: () => json<GlobalImportance>('/console/importance'),
  drift: () => json<DriftReport>('/model/drift'),
  predict: (record: Record<string, unknown>, explain: boolean, signal?: AbortSignal) => json<Prediction>(`/predict${explain ? '?explain=true' : ''}`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(record), ...(signal === undefined ? {} : { signal }),
  }),
  /** One chunk of a file: CSV text in (the server parses it with the model's schema), JSON results out. */
  predictCsv: (csv: string, signal: AbortSignal) => json<BatchAnswer>('/predict/batch', {
    method: 'POST', headers: { 'content-type': 'text/csv', accept: 'application/json' }, body: csv, signal,
  }),
  /** Readiness as the probes see it: ready, or the code that says why not (DRAINING, NOT_READY, OVERLOADED). */
  readiness: async (): Promise<{ ready: boolean; code?: string }> => {
    try {
      await call('/readyz');
      return { ready: true };
    } catch (error) {
      return { ready: false, code: error instanceof ApiError ? error.code : 'UNKNOWN' };
    }
  },
  metricsText: async () => (await call('/metrics')).text(),
};
