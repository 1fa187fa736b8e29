import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DocumentedRoute } from './api-docs-app.js';

// The headers of the documentation app's answer that the outer reply sets itself.
const HOP_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'date']);

export interface ApiDocs {
  /** Documents a route served outside Fastify's router (the front door's own routes). */
  document(route: DocumentedRoute): void;
}

/**
 * The OpenAPI document (GET /openapi.json) and Swagger UI (GET /docs), built from the route schemas, which are
 * themselves generated from the model's feature schema. Must be installed before the routes. Only the routes are
 * collected at start-up: @fastify/swagger, Swagger UI and the YAML parser they bring are loaded on the first
 * documentation request (api-docs-app.ts), so they cost nothing before the port opens, and nothing at all on a
 * server whose docs are never read.
 */
export function installApiDocs(app: FastifyInstance, modelHeadline: string): ApiDocs {
  // The options objects themselves, read when the docs are built, as @fastify/swagger reads them: Fastify updates
  // one in place when it registers a route twice (a prefix's "/" as "/v2" and "/v2/"), and the docs show it once.
  const routes: DocumentedRoute[] = [];
  app.addHook('onRoute', (route) => {
    if (route.schema?.hide !== true) routes.push(route);
  });
  let docs: Promise<FastifyInstance> | undefined;
  const docsApp = (): Promise<FastifyInstance> => {
    docs ??= import('./api-docs-app.js').then(({ buildDocsApp }) => buildDocsApp(routes, modelHeadline)).catch((error: unknown) => {
      docs = undefined;
      throw error;
    });
    return docs;
  };
  app.addHook('onClose', async () => { if (docs !== undefined) await (await docs.catch(() => undefined))?.close(); });

  const hidden = { schema: { hide: true } };
  app.get('/openapi.json', hidden, async () => (await docsApp()).swagger());
  // Swagger UI's pages and assets, answered by the documentation app as they would be if it were this one.
  const forward = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const answer = await (await docsApp()).inject({ method: 'GET', url: request.url, headers: request.headers });
    for (const [name, value] of Object.entries(answer.headers)) if (!HOP_HEADERS.has(name) && value !== undefined) reply.header(name, value);
    await reply.code(answer.statusCode).send(answer.rawPayload);
  };
  app.get('/docs', hidden, forward);
  app.get('/docs/*', hidden, forward);
  return { document: (route) => { routes.push(route); } };
}
