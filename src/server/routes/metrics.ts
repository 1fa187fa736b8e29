import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

/** GET /metrics in the Prometheus text format; open and never shed, so scraping works under load. */
export function metricsRoutes(registry: Registry) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['operations'] } }, async (_request, reply) => {
      reply.type(registry.contentType);
      return registry.metrics();
    });
  };
}
