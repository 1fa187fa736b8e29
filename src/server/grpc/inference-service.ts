import { performance } from 'node:perf_hooks';
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { FastifyBaseLogger } from 'fastify';
import type protobuf from 'protobufjs';
import { ChurnError } from '../../errors.js';
import { packageInfo } from '../../foundation/package-files.js';
import { decodeModelInferRequest, encodeModelInferResponse, type ModelInferRequestMessage } from '../../serving/codecs/v2-grpc-messages.js';
import { modelMetadata, unknownModel } from '../../serving/codecs/v2-metadata.js';
import { inferRows } from '../../serving/codecs/v2-tensors.js';
import { then } from '../../serving/maybe-promise.js';
import type { ServingCore } from '../../serving/serving-core.js';
import type { GrpcMetrics } from './grpc-metrics.js';
import { asBuffer, INFERENCE_SERVICE, inferenceProtos } from './protocol-buffers.js';
import { unaryCalls } from './unary-call.js';

const ModelReadyRequest = inferenceProtos.lookupType('inference.ModelReadyRequest');
const ModelMetadataRequest = inferenceProtos.lookupType('inference.ModelMetadataRequest');
const ModelInferRequest = inferenceProtos.lookupType('inference.ModelInferRequest');
const ModelInferResponse = inferenceProtos.lookupType('inference.ModelInferResponse');

const seconds = (since: number): number => (performance.now() - since) / 1000;

/** A request message from its bytes; bytes that are not one are INVALID_BODY (INVALID_ARGUMENT). */
function decode<T>(type: protobuf.Type, bytes: Buffer): T {
  try {
    return type.decode(bytes) as unknown as T;
  } catch (cause) {
    throw new ChurnError('INVALID_BODY', `the request is not a valid ${type.fullName.slice(1)} message`, [], { cause });
  }
}

/**
 * inference.GRPCInferenceService, the Open Inference Protocol over gRPC, through the serving core like V2 REST:
 * server liveness, readiness and metadata answer without credentials (as /v2/health/* and /v2 do); model
 * readiness, metadata and inference are admitted data-plane calls, served through the drain. Inference goes to
 * the data plane with protocol 'grpc'; protobuf decoding and encoding are timed as its decode and encode stages.
 */
export function inferenceService(core: ServingCore, log: FastifyBaseLogger, metrics: GrpcMetrics): UntypedServiceImplementation {
  const unary = unaryCalls(core, log, metrics, INFERENCE_SERVICE);
  const checkModel = (name: string, version: string): void => {
    // An empty version means "the one the server chooses" (proto3 has no absent string).
    const problem = unknownModel(core.plane, name, version === '' ? undefined : version);
    if (problem !== undefined) throw new ChurnError('MODEL_NOT_FOUND', problem);
  };
  return {
    ServerLive: unary('ServerLive', { admit: false }, () => ({ live: core.live })),
    ServerReady: unary('ServerReady', { admit: false }, () => ({ ready: core.ready })),
    ServerMetadata: unary('ServerMetadata', { admit: false }, () => ({ name: packageInfo.name, version: packageInfo.version, extensions: [] })),
    // Admission has already refused a model that does not serve; a served model is ready.
    ModelReady: unary('ModelReady', { admit: true }, (bytes) => {
      const request = decode<{ name: string; version: string }>(ModelReadyRequest, bytes);
      checkModel(request.name, request.version);
      return { ready: core.serving };
    }),
    ModelMetadata: unary('ModelMetadata', { admit: true }, (bytes) => {
      const request = decode<{ name: string; version: string }>(ModelMetadataRequest, bytes);
      checkModel(request.name, request.version);
      return modelMetadata(core.plane);
    }),
    ModelInfer: unary('ModelInfer', { admit: true }, (bytes, context) => {
      const plane = core.plane;
      const started = performance.now();
      const message = decode<ModelInferRequestMessage>(ModelInferRequest, bytes);
      checkModel(message.model_name ?? '', message.model_version ?? '');
      const inference = decodeModelInferRequest(message, plane.schema);
      plane.observeStage('grpc', 'decode', seconds(started));
      context.checkDeadline();
      return then(inferRows(plane, inference, 'grpc', message.id === undefined || message.id === '' ? undefined : message.id), (result) => {
        const encoding = performance.now();
        const response = asBuffer(ModelInferResponse.encode(encodeModelInferResponse(plane, inference, result) as unknown as protobuf.Message).finish());
        plane.observeStage('grpc', 'encode', seconds(encoding));
        return response;
      });
    }),
  };
}
