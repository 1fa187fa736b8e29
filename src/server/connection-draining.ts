import type { FastifyInstance } from 'fastify';
import type { ServingState } from '../serving/serving-state.js';

/**
 * While draining, every response says `Connection: close`, so keep-alive clients open their next
 * connection elsewhere (to a pod that is still ready) instead of reusing one that is about to go away.
 */
export function installConnectionDraining(app: FastifyInstance, state: ServingState): void {
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (state.draining) reply.header('connection', 'close');
    done(null, payload);
  });
}
