import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { ServerConfig } from '../config/server-config.js';
import { modelHeadline } from '../serving/model-card.js';
import type { ServingCore } from '../serving/serving-core.js';
import { installApiDocs } from './api-docs.js';
import { installConnectionDraining } from './connection-draining.js';
import { consoleRoutes } from './console-routes.js';
import { deferredChildLogger } from './deferred-child-logger.js';
import { FrontDoor } from './front-door.js';
import { clientErrorHandler, errorBody, errorHeaders, routeNotFound, toChurnError } from './http-errors.js';
import { HttpMetrics } from './http-metrics.js';
import { apiSchemas, documentationOnlyCompilers } from './openapi-schemas.js';
import { protocolScope, type HttpProtocol } from './protocol-scope.js';
import { RequestLog } from './request-log.js';
import { requestId, installRequestTelemetry } from './request-telemetry.js';
import { driftRoutes } from './routes/drift.js';
import { metricsRoutes } from './routes/metrics.js';
import { modelRoutes } from './routes/model.js';
import { predictBatchRoute } from './routes/predict-batch.js';
import { predictDocumentation, predictOneRoute } from './routes/predict-one.js';
import { probeRoutes } from './routes/probes.js';
import { mlflowRoutes } from './mlflow/mlflow-routes.js';
import { v2Routes } from './v2/v2-routes.js';

export interface AppOptions {
  /** Where log lines go: synchronous stdout by default; startServer passes a buffered one, tests a collector. */
  logStream?: { write(line: string): void };
}

// Node's default (60 s) lets a slow client hold a socket for a minute before sending its headers.
const MAX_HEADERS_TIMEOUT_MS = 5000;
const TIMEOUT_CHECK_INTERVAL_MS = 500;

/** The REST protocol's wire shape: the catalogue's status and the one error body. */
const restProtocol: HttpProtocol = { protocol: 'rest', errorResponse: (error) => ({ status: error.status, body: errorBody(error) }) };

/**
 * The HTTP transport over a serving core, without listening: probes, metrics and docs, then each protocol in
 * its own scope — REST (/predict and /predict/batch for binary classifiers; /model, /model/drift), V2 (/v2/...)
 * and MLflow's scoring protocol (/invocations, /ping, /version) — and the console at / (its data calls are
 * REST's). The core owns the model, lifecycle, auth, shedding, metrics, drift monitoring and the payload log;
 * closing the app closes the core.
 */
export function buildApp(config: ServerConfig, core: ServingCore, options: AppOptions = {}): FastifyInstance {
  const plane = core.plane;
  const schemas = apiSchemas(plane.schema);

  const door = new FrontDoor();
  const app = Fastify({
    serverFactory: door.serverFactory,
    logger: {
      level: config.logLevel,
      // Authorization never reaches a log line even if a serializer starts printing headers.
      redact: ['req.headers.authorization', 'headers.authorization'],
      ...(options.logStream === undefined ? {} : { stream: options.logStream }),
    },
    // Fastify's two lines per request are replaced by the request log's policy (request-log.ts).
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    childLoggerFactory: deferredChildLogger,
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
    schemaController: { compilersFactory: documentationOnlyCompilers },
  });

  // Routes outside a protocol scope (probes, metrics, docs) answer errors in the REST shape.
  app.setErrorHandler((thrown, request, reply) => {
    const error = toChurnError(thrown);
    if (error.code === 'INTERNAL') request.log.error({ err: thrown }, 'unhandled error');
    reply.code(error.status).headers(errorHeaders(error)).send(errorBody(error));
  });
  app.setNotFoundHandler((request, reply) => {
    const error = routeNotFound(request.method, request.url);
    reply.code(error.status).send(errorBody(error));
  });

  const httpMetrics = new HttpMetrics(core.metrics.registry, () => core.state.inFlight);
  const requestLog = new RequestLog(app.log, {
    sampleRate: config.requestLogSampleRate, slowMs: config.requestLogSlowMs, summarySeconds: config.requestLogSummarySeconds,
  }, () => ({ inFlight: core.state.inFlight, eventLoopDelayMs: Math.round(core.overloadDelayMs * 10) / 10 }));
  installRequestTelemetry(app, httpMetrics, core.state, requestLog);
  installConnectionDraining(app, core.state);
  const docs = installApiDocs(app, modelHeadline(plane.card));
  app.addHook('onReady', (done) => {
    core.start();
    requestLog.start();
    done();
  });
  // The model's native resources (ONNX sessions) go with the app: the caller owns nothing once it is built.
  app.addHook('onClose', async () => {
    requestLog.stop();
    await core.close();
  });

  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  door.routeInjections(app);
  if (plane.scoresRecords) {
    door.serve(predictOneRoute({
      core, wire: restProtocol, metrics: httpMetrics, requestLog, log: app.log, bodyLimitBytes: config.bodyLimitBytes, closing: () => closing,
    }));
    docs.document(predictDocumentation(core, schemas));
  }

  app.register(probeRoutes(core));
  app.register(metricsRoutes(core.metrics.registry));
  protocolScope(app, core, restProtocol, { admit: true }, (scope) => {
    modelRoutes(core, schemas)(scope);
    driftRoutes(core, schemas)(scope);
    if (plane.scoresRecords) predictBatchRoute(core, schemas, config.bodyLimitBytes)(scope);
  });
  v2Routes(app, core);
  mlflowRoutes(app, core);
  consoleRoutes(app, core, config, restProtocol);
  return app;
}
