import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ChurnError } from '../../errors.js';
import { packageInfo } from '../../foundation/package-files.js';
import { modelMetadata, unknownModel } from '../../serving/codecs/v2-metadata.js';
import { decodeInferenceRequest, encodeInferenceResponse } from '../../serving/codecs/v2-tensors.js';
import type { ServingCore } from '../../serving/serving-core.js';
import { routeNotFound } from '../http-errors.js';
import { protocolScope, sendAnswer, type HttpProtocol } from '../protocol-scope.js';

function describeFields(error: ChurnError): string {
  const shown = error.details.slice(0, 5).map((d) => `${d.path}: ${d.message}`).join('; ');
  const more = error.details.length > 5 ? `; … ${error.details.length - 5} more` : '';
  return shown === '' ? error.message : `${error.message}: ${shown}${more}`;
}

/**
 * The Open Inference Protocol V2 over REST: every error is `{"error": "..."}` with the catalogue's status,
 * except that its 422s (a record or body that parsed but is not valid) are 400, the one status V2 clients
 * know for bad input.
 */
export const v2Protocol: HttpProtocol = {
  protocol: 'v2',
  errorResponse: (error) => ({ status: error.status === 422 ? 400 : error.status, body: { error: describeFields(error) } }),
};

type Params = { name: string; version?: string };

/**
 * V2 REST under /v2. Server health and metadata answer without credentials (probes use them); model metadata,
 * readiness and inference are admitted like every data-plane call: API key, shedding, and served through the
 * drain (a draining server still answers what reaches it; only /v2/health/ready turns false).
 */
export function v2Routes(app: FastifyInstance, core: ServingCore): void {
  const checkModel = (params: Params): void => {
    const problem = unknownModel(core.plane, params.name, params.version);
    if (problem !== undefined) throw new ChurnError('MODEL_NOT_FOUND', problem);
  };

  protocolScope(app, core, v2Protocol, { admit: false, prefix: '/v2' }, (scope) => {
    scope.setNotFoundHandler((request, reply) => {
      reply.code(404).send({ error: routeNotFound(request.method, request.url).message });
    });
    scope.get('/', async () => ({ name: packageInfo.name, version: packageInfo.version, extensions: [] }));
    scope.get('/health/live', async () => ({ live: core.live }));
    scope.get('/health/ready', async (_request, reply) => reply.code(core.ready ? 200 : 503).send({ ready: core.ready }));
  });

  protocolScope(app, core, v2Protocol, { admit: true, prefix: '/v2/models' }, (scope) => {
    const metadata = (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
      checkModel(request.params);
      reply.send(modelMetadata(core.plane));
    };
    // Admission has already refused a model that does not serve; a served model is ready.
    const ready = (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
      checkModel(request.params);
      reply.send({ name: core.plane.name, ready: core.serving });
    };
    const infer = (request: FastifyRequest<{ Params: Params; Body: unknown }>, reply: FastifyReply) => {
      checkModel(request.params);
      const plane = core.plane;
      const inference = decodeInferenceRequest(request.body, plane.schema);
      const answer = plane.infer(inference.records, inference, 'v2', request.id);
      return sendAnswer(reply, core, 'v2', answer, (result) => encodeInferenceResponse(plane, inference, result));
    };
    scope.get<{ Params: Params }>('/:name', metadata);
    scope.get<{ Params: Params }>('/:name/versions/:version', metadata);
    scope.get<{ Params: Params }>('/:name/ready', ready);
    scope.get<{ Params: Params }>('/:name/versions/:version/ready', ready);
    scope.post<{ Params: Params; Body: unknown }>('/:name/infer', infer);
    scope.post<{ Params: Params; Body: unknown }>('/:name/versions/:version/infer', infer);
  });
}
