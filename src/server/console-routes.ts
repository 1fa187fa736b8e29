import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerConfig } from '../config/server-config.js';
import { ChurnError } from '../errors.js';
import type { ModelRuntime } from '../model/runtimes/model-runtime.js';
import { requireApiKey } from './api-key-auth.js';
import { loadConsoleAssets, type ConsoleAsset } from './console-assets.js';
import { ConsoleSamples } from './console-samples.js';
import type { PredictionService } from './model-service.js';

export interface ConsoleDependencies {
  service: PredictionService;
  runtime: ModelRuntime;
  config: ServerConfig;
  /** The built console (tests pass their own); read from dist/web/console by default. */
  assets?: Map<string, ConsoleAsset>;
}

/**
 * Headers on every console response. Scripts and styles only from this origin (the bundle has no inline
 * script), no framing (clickjacking), no MIME sniffing, and no referrer leaking customer ids in URLs.
 */
const securityHeaders: Record<string, string> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
    + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

function sendAsset(request: FastifyRequest, reply: FastifyReply, asset: ConsoleAsset): void {
  // Unhashed file names: the browser revalidates every time, and an unchanged file costs a 304.
  reply.header('cache-control', 'no-cache').header('etag', asset.etag).header('vary', 'accept-encoding');
  if (request.headers['if-none-match'] === asset.etag) {
    reply.code(304).send();
    return;
  }
  reply.type(asset.contentType);
  if (/\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) reply.header('content-encoding', 'gzip').send(asset.gzipped);
  else reply.send(asset.body);
}

/** Whether explanations exist: the console then asks for them (the waterfall) and shows global importance. */
const explains = (runtime: ModelRuntime) => runtime.explain !== undefined;

/**
 * The retention console at `/`: its static files (built with the project, served from memory), the settings
 * it starts from, and two data calls of its own, behind the API key like /model: a sample customer and the
 * model's global importance over sample customers.
 */
export function consoleRoutes({ service, runtime, config, assets = loadConsoleAssets() }: ConsoleDependencies) {
  const samples = new ConsoleSamples(service.schema, runtime);
  return async (app: FastifyInstance): Promise<void> => {
    app.addHook('onSend', async (_request, reply) => {
      reply.headers(securityHeaders);
    });
    const page = (name: string) => (request: FastifyRequest, reply: FastifyReply) => {
      const asset = assets.get(name);
      if (asset === undefined) throw new ChurnError('NOT_FOUND', `the console is not built (${name} is missing): run npm run build`);
      sendAsset(request, reply, asset);
    };
    const hidden = { schema: { hide: true } };
    app.get('/', hidden, page('index.html'));
    app.get('/console/console.js', hidden, page('console.js'));
    app.get('/console/console.css', hidden, page('console.css'));
    app.get('/console/settings', hidden, (_request, reply) => {
      reply.send({
        apiKeyRequired: config.apiKeys.length > 0,
        scoresRecords: service.scoresRecords,
        explains: service.scoresRecords && explains(runtime),
        maxBatchSize: config.maxBatchSize,
        bodyLimitBytes: config.bodyLimitBytes,
        schema: service.schema,
      });
    });

    await app.register(async (data) => {
      requireApiKey(data, config.apiKeys);
      data.get('/console/sample-customer', { ...hidden, config: { shedUnderLoad: true } }, (_request, reply) => {
        reply.send(samples.customer());
      });
      data.get('/console/importance', { ...hidden, config: { shedUnderLoad: true } }, async () => samples.globalImportance());
    });
  };
}
