import { join } from 'node:path';
import type { ServiceDefinition } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { packageRoot } from '../../foundation/package-files.js';

/**
 * The gRPC contracts, read from the package's proto/ folder (shipped with the package and the image) by protobufjs, which
 * compiles an encoder and decoder per message when it loads them: as fast as generated static code, with no
 * generation step and the .proto as the one source. Field names stay as written (snake_case), like the
 * specification's JSON. protobufjs rather than @grpc/proto-loader: proto-loader copies every decoded message into
 * a plain object (toObject), a pass we measured at +40% on a single-row ModelInfer request's decoding.
 */

const protoDirectory = join(packageRoot, 'proto');

// int64 fields (shapes, INT64 contents) decode to numbers rather than Long objects: an allocation less per value on
// the hot path. Values beyond 2^53 then lose precision, and the codecs refuse them as unsafe integers.
protobuf.util.Long = undefined as unknown as typeof protobuf.util.Long;
protobuf.configure();

function load(file: string): protobuf.Root {
  const root = new protobuf.Root();
  root.loadSync(join(protoDirectory, file), { keepCase: true });
  root.resolveAll();
  return root;
}

export const inferenceProtos = load('open-inference.proto');
export const errorDetailProtos = load('error-details.proto');

/** protobufjs's encoder output as a Buffer, without copying (it already is one under Node). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The fully qualified name of the Open Inference Protocol's service. */
export const INFERENCE_SERVICE = 'inference.GRPCInferenceService';

/**
 * A grpc-js service definition for a protobufjs service that both a server and a client can use. The server side
 * receives each request as its undecoded bytes and may answer with bytes it encoded itself, so the transport
 * times protobuf decoding and encoding as the decode and encode stages, and answers a malformed message with its
 * own INVALID_ARGUMENT; a client (the tests) encodes requests and decodes responses as usual.
 */
export function serviceDefinition(root: protobuf.Root, serviceName: string): ServiceDefinition {
  const service = root.lookupService(serviceName);
  const definition: Record<string, ServiceDefinition[string]> = {};
  for (const method of service.methodsArray) {
    method.resolve();
    const request = method.resolvedRequestType!;
    const response = method.resolvedResponseType!;
    const encode = (type: protobuf.Type) => (value: unknown): Buffer => {
      if (Buffer.isBuffer(value)) return value;
      return asBuffer(type.encode(value as protobuf.Message).finish());
    };
    definition[method.name] = {
      path: `/${serviceName}/${method.name}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: encode(request),
      requestDeserialize: (bytes: Buffer) => bytes,
      responseSerialize: encode(response),
      responseDeserialize: (bytes: Buffer) => response.decode(bytes),
      originalName: method.name,
    };
  }
  return definition;
}
