import { hostname } from 'node:os';
import type { PayloadEntry } from './payload-entry.js';

/**
 * CloudEvents 1.0 for the payload log, shaped as KServe's inference logger sends them: two events per inference,
 * the request and the response, sharing the request's id, typed org.kubeflow.serving.inference.request and
 * .response, with the model in the `inferenceservicename` extension. Receivers built for KServe's logger (a
 * Knative broker, an event display) take them as they are. Our own extensions: modelversion, protocol, operation,
 * and on the response event outcome and latencyms, all strings.
 */
export interface CloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time: string;
  datacontenttype: 'application/json';
  [extension: string]: unknown;
  data: unknown;
}

export const REQUEST_EVENT_TYPE = 'org.kubeflow.serving.inference.request';
export const RESPONSE_EVENT_TYPE = 'org.kubeflow.serving.inference.response';

const source = `urn:churn-predictor:${hostname()}`;

/** The request and response events of one logged inference; `data` is the (redacted) body. */
export function inferenceEvents(entry: PayloadEntry, request: unknown, response: unknown): [CloudEvent, CloudEvent] {
  const common = {
    specversion: '1.0' as const, id: entry.requestId, source, time: entry.time, datacontenttype: 'application/json' as const,
    inferenceservicename: entry.model.name, modelversion: entry.model.version, protocol: entry.protocol, operation: entry.operation,
  };
  return [
    { ...common, type: REQUEST_EVENT_TYPE, data: request },
    { ...common, type: RESPONSE_EVENT_TYPE, outcome: entry.outcome, latencyms: String(entry.latencyMs), data: response },
  ];
}

/** Binary content mode: the attributes as `ce-` headers, the data as the body. */
export function binaryMessage(event: CloudEvent): { headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = { 'content-type': event.datacontenttype };
  for (const [name, value] of Object.entries(event)) {
    if (name === 'data' || name === 'datacontenttype') continue;
    headers[`ce-${name}`] = String(value);
  }
  return { headers, body: JSON.stringify(event.data) };
}
