import { performance } from 'node:perf_hooks';
import { gunzipSync, inflateSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ChurnError } from '../../errors.js';
import { packageInfo } from '../../foundation/package-files.js';
import { parseJsonBody } from '../../serving/codecs/json-records.js';
import { BINARY_TENSOR_DATA_EXTENSION, INFERENCE_HEADER_CONTENT_LENGTH, joinBinaryBody, splitBinaryBody } from '../../serving/codecs/v2-binary-body.js';
import { modelMetadata, unknownModel } from '../../serving/codecs/v2-metadata.js';
import { decodeInferenceRequest, encodeInferenceResponse, inferRows } from '../../serving/codecs/v2-tensors.js';
import type { ServingCore } from '../../serving/serving-core.js';
import { routeNotFound } from '../http-errors.js';
import { protocolScope, sendAnswer, type HttpProtocol } from '../protocol-scope.js';
import { v2RouteSchemas, withVersion } from './v2-openapi.js';

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

/** An inference request body as read: its JSON, the binary section when it has one, and the time reading took. */
class InferBody {
  constructor(readonly json: unknown, readonly binary: Uint8Array | undefined, readonly readSeconds: number) {}
}

/**
 * Reads an inference body of any form the Open Inference Protocol's clients send: JSON (application/json, or no
 * content type at all, as tritonclient.http sends it), or the binary data extension (a JSON header of
 * Inference-Header-Content-Length bytes, then tensor bytes; application/octet-stream from KServe's client), gzip-
 * or deflate-compressed when Content-Encoding says so (tritonclient's request_compression_algorithm).
 */
function readInferBody(request: FastifyRequest, raw: Buffer, bodyLimit: number): InferBody {
  const started = performance.now();
  const encoding = request.headers['content-encoding']?.trim().toLowerCase();
  let body = raw;
  if (encoding !== undefined && encoding !== 'identity') {
    if (encoding !== 'gzip' && encoding !== 'deflate') throw new ChurnError('UNSUPPORTED_MEDIA_TYPE', `Content-Encoding "${encoding.slice(0, 20)}" is not supported; send gzip, deflate or identity`);
    try {
      body = encoding === 'gzip' ? gunzipSync(raw, { maxOutputLength: bodyLimit }) : inflateSync(raw, { maxOutputLength: bodyLimit });
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new ChurnError('PAYLOAD_TOO_LARGE', 'the decompressed request body is larger than BODY_LIMIT_BYTES', [], { cause });
      throw new ChurnError('BAD_REQUEST', `the request body is not valid ${encoding} data`, [], { cause });
    }
  }
  const headerLength = request.headers[INFERENCE_HEADER_CONTENT_LENGTH];
  if (typeof headerLength === 'string') {
    const { json, binary } = splitBinaryBody(body, headerLength);
    return new InferBody(json, binary, (performance.now() - started) / 1000);
  }
  const json = parseJsonBody(body.toString('utf8'));
  return new InferBody(json, undefined, (performance.now() - started) / 1000);
}

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

  const schemas = v2RouteSchemas(core.plane, core.authenticates);

  protocolScope(app, core, v2Protocol, { admit: false, prefix: '/v2' }, (scope) => {
    scope.setNotFoundHandler((request, reply) => {
      reply.code(404).send({ error: routeNotFound(request.method, request.url).message });
    });
    scope.get('/', { schema: schemas.serverMetadata }, async () => ({ name: packageInfo.name, version: packageInfo.version, extensions: [BINARY_TENSOR_DATA_EXTENSION] }));
    scope.get('/health/live', { schema: schemas.live }, async () => ({ live: core.live }));
    scope.get('/health/ready', { schema: schemas.ready }, async (_request, reply) => reply.code(core.ready ? 200 : 503).send({ ready: core.ready }));
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
      const { body } = request;
      if (!(body instanceof InferBody)) throw new ChurnError('INVALID_BODY', 'the request has no body: send an inference request');
      const plane = core.plane;
      const started = performance.now();
      const inference = decodeInferenceRequest(body.json, plane.schema, body.binary);
      plane.observeStage('v2', 'decode', body.readSeconds + (performance.now() - started) / 1000);
      const answer = inferRows(plane, inference, 'v2', request.id);
      return sendAnswer(reply, core, 'v2', answer, (result) => {
        const response = encodeInferenceResponse(plane, inference, result);
        if (response.binary.length === 0) return response.json;
        const { headerLength, body: bytes } = joinBinaryBody(response);
        reply.header(INFERENCE_HEADER_CONTENT_LENGTH, headerLength).type('application/octet-stream');
        return bytes;
      });
    };
    const plane = core.plane;
    scope.get<{ Params: Params }>('/:name', { schema: schemas.modelMetadata }, metadata);
    scope.get<{ Params: Params }>('/:name/versions/:version', { schema: withVersion(schemas.modelMetadata, plane) }, metadata);
    scope.get<{ Params: Params }>('/:name/ready', { schema: schemas.modelReady }, ready);
    scope.get<{ Params: Params }>('/:name/versions/:version/ready', { schema: withVersion(schemas.modelReady, plane) }, ready);
    scope.register(async (inferScope) => {
      // Inference bodies are read as bytes: JSON, or a JSON header followed by binary tensor data.
      const bodyLimit = app.initialConfig.bodyLimit ?? 1024 * 1024;
      inferScope.removeAllContentTypeParsers();
      const read = (request: FastifyRequest, raw: Buffer, done: (error: Error | null, body?: unknown) => void): void => {
        let body: InferBody;
        try {
          body = readInferBody(request, raw, bodyLimit);
        } catch (error) {
          done(error as Error, undefined);
          return;
        }
        done(null, body);
      };
      inferScope.addContentTypeParser(['application/json', 'application/octet-stream'], { parseAs: 'buffer' }, (request, raw, done) => read(request, raw as Buffer, done));
      // No content type at all (tritonclient.http sends none); any other type is refused.
      inferScope.addContentTypeParser('*', { parseAs: 'buffer' }, (request, raw, done) => {
        if (request.headers['content-type'] !== undefined) {
          done(new ChurnError('UNSUPPORTED_MEDIA_TYPE', 'send an inference request as application/json or application/octet-stream (the binary data extension)'), undefined);
          return;
        }
        read(request, raw as Buffer, done);
      });
      inferScope.post<{ Params: Params; Body: unknown }>('/:name/infer', { schema: schemas.infer }, infer);
      inferScope.post<{ Params: Params; Body: unknown }>('/:name/versions/:version/infer', { schema: withVersion(schemas.infer, plane) }, infer);
    });
  });
}
