import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { ServerConfig } from '../config/server-config.js';
import { installApiDocs } from './api-docs.js';
import { installConnectionDraining } from './connection-draining.js';
import { driftMonitorOf } from './drift-monitoring.js';
import { driftRoutes } from './drift-routes.js';
import { clientErrorHandler, installErrorHandling } from './error-handling.js';
import { installLoadShedding } from './load-shedding.js';
import { installPayloadLogging } from './payload-logging.js';
import { ModelService } from './model-service.js';
import { modelIdentity, servingModel, type ServableModel } from './serving-model.js';
import { apiSchemas } from './openapi-schemas.js';
import { requestId, installRequestTelemetry } from './request-telemetry.js';
import { metricsRoutes } from './routes/metrics.js';
import { modelRoutes } from './routes/model.js';
import { predictRoutes } from './routes/predict.js';
import { probeRoutes } from './routes/probes.js';
import { ServerMetrics } from './server-metrics.js';
import { ServingState } from './serving-state.js';
import { v2Routes } from './v2/v2-routes.js';

export interface AppOptions {
  /** Shared with the signal handler, which flips it to draining; a fresh one by default. */
  state?: ServingState;
  /** Where log lines go: synchronous stdout by default; startServer passes a buffered one, tests a collector. */
  logStream?: { write(line: string): void };
}

// Node's default (60 s) lets a slow client hold a socket for a minute before sending its headers.
const MAX_HEADERS_TIMEOUT_MS = 5000;
const TIMEOUT_CHECK_INTERVAL_MS = 500;

/**
 * Builds the HTTP application over one model, without listening. The native artifact (loaded, or in a
 * NativeRuntime) gets the full churn API; another runtime gets /predict when it is a binary classifier, and
 * the V2 protocol in every case. The model is warmed up by one prediction before the app is ready (here for
 * the native model, in onReady for runtimes, which may be asynchronous); a model that cannot score throws.
 */
export function buildApp(config: ServerConfig, model: ServableModel, options: AppOptions = {}): FastifyInstance {
  const state = options.state ?? new ServingState();
  const metrics = new ServerMetrics(modelIdentity(model), () => state.inFlight);
  const drift = driftMonitorOf(model, config.driftWindow);
  const { service, runtime, warmUp } = servingModel(model, { threshold: config.decisionThreshold, maxBatchSize: config.maxBatchSize, observer: metrics, drift });
  // The native model warms up now, so a model that cannot score fails here, synchronously; other runtimes
  // (ONNX Runtime is asynchronous) warm up in onReady, before the app listens.
  const warmsUpLater = !(service instanceof ModelService);
  if (!warmsUpLater) service.warmUp();
  const schemas = apiSchemas(service.schema);

  const app = Fastify({
    logger: {
      level: config.logLevel,
      // Authorization never reaches a log line even if a serializer starts printing headers.
      redact: ['req.headers.authorization', 'headers.authorization'],
      ...(options.logStream === undefined ? {} : { stream: options.logStream }),
    },
    // Fastify's two lines per request are replaced by one, written by the request telemetry.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    requestIdHeader: false,
    genReqId: requestId,
    bodyLimit: config.bodyLimitBytes,
    // Plain JSON.parse: no handler copies request keys into other objects (JSON.parse makes "__proto__" an
    // own property, which is harmless to read), and the two poisoning scans cost half a millisecond per
    // 1,000-record batch. A test checks that such keys pollute nothing.
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
    requestTimeout: config.requestTimeoutMs,
    http: {
      headersTimeout: Math.min(MAX_HEADERS_TIMEOUT_MS, config.requestTimeoutMs),
      // Node checks those timeouts every 30 s by default, which would let a slow client overstay by that much.
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    },
    keepAliveTimeout: config.keepAliveTimeoutSeconds * 1000,
    // Requests that arrive on a kept-alive socket after close() are still served (with Connection: close)
    // rather than refused: the process is waiting for in-flight work anyway, and a 503 would drop them.
    return503OnClosing: false,
    clientErrorHandler,
  });

  installErrorHandling(app);
  installRequestTelemetry(app, metrics, state);
  installConnectionDraining(app, state);
  const overloaded = installLoadShedding(app, config.maxEventLoopDelayMs);
  installApiDocs(app, service.headline);
  installPayloadLogging(app, config, modelIdentity(model), service.schema, metrics.registry);
  if (warmsUpLater) app.addHook('onReady', warmUp);
  // Native resources (ONNX sessions) go with the app; the caller owns nothing once it is built.
  app.addHook('onClose', async () => { await runtime.close(); });

  app.register(probeRoutes({ service, state, overloaded }));
  app.register(metricsRoutes(metrics));
  app.register(modelRoutes(service, schemas, config.apiKeys));
  app.register(driftRoutes({ drift, window: config.driftWindow, model: modelIdentity(model), registry: metrics.registry, apiKeys: config.apiKeys }));
  if (service.scoresRecords) app.register(predictRoutes({ service, schemas, apiKeys: config.apiKeys }));
  app.register(v2Routes({ runtime, ready: () => service.ready && !state.draining, apiKeys: config.apiKeys }));
  return app;
}
