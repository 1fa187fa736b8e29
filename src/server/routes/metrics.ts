import type { FastifyInstance } from 'fastify';
import type { ServerMetrics } from '../server-metrics.js';

/** GET /metrics in the Prometheus text format; open and never shed, so scraping works under load. */
export function metricsRoutes(metrics: ServerMetrics) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['operations'] } }, async (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  };
}
