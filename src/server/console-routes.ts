import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerConfig } from '../config/server-config.js';
import { ChurnError } from '../errors.js';
import type { DataPlane } from '../serving/data-plane.js';
import type { ServingCore } from '../serving/serving-core.js';
import { loadConsoleAssets, type ConsoleAsset } from './console-assets.js';
import { ConsoleSamples } from './console-samples.js';
import { protocolScope, type HttpProtocol } from './protocol-scope.js';

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

/**
 * The retention console at `/`: its static files (built with the project, served from memory) and the settings
 * it starts from, open like the API docs; and two data calls of its own in the given protocol's scope (REST:
 * admitted by the serving core — API key, serving, shedding — and counted like /model): a sample customer and
 * the model's global importance over sample customers. Every answer reads the core's data plane of the moment,
 * so a swapped-in model shows at once. `assets`: the built console (tests pass their own).
 */
export function consoleRoutes(app: FastifyInstance, core: ServingCore, config: ServerConfig, rest: HttpProtocol, assets: Map<string, ConsoleAsset> = loadConsoleAssets()): void {
  const samples = new WeakMap<DataPlane, ConsoleSamples>();
  const samplesOf = (plane: DataPlane): ConsoleSamples => {
    let found = samples.get(plane);
    if (found === undefined) {
      found = new ConsoleSamples(plane);
      samples.set(plane, found);
    }
    return found;
  };

  app.register(async (site) => {
    site.addHook('onSend', async (_request, reply) => {
      reply.headers(securityHeaders);
    });
    const page = (name: string) => (request: FastifyRequest, reply: FastifyReply) => {
      const asset = assets.get(name);
      if (asset === undefined) throw new ChurnError('NOT_FOUND', `the console is not built (${name} is missing): run npm run build`);
      sendAsset(request, reply, asset);
    };
    const hidden = { schema: { hide: true } };
    site.get('/', hidden, page('index.html'));
    site.get('/console/console.js', hidden, page('console.js'));
    site.get('/console/console.css', hidden, page('console.css'));
    site.get('/console/settings', hidden, (_request, reply) => {
      const { plane } = core;
      reply.send({
        apiKeyRequired: core.authenticates,
        scoresRecords: plane.scoresRecords,
        // Whether explanations exist: the console then asks for them (the waterfall) and shows global importance.
        explains: plane.scoresRecords && plane.explains,
        maxBatchSize: plane.maxBatchSize,
        bodyLimitBytes: config.bodyLimitBytes,
        schema: plane.schema,
      });
    });

    protocolScope(site, core, rest, { admit: true }, (data) => {
      data.get('/console/sample-customer', hidden, (_request, reply) => {
        reply.send(samplesOf(core.plane).customer());
      });
      data.get('/console/importance', hidden, async () => samplesOf(core.plane).globalImportance());
    });
  });
}
