import { status as grpcStatus, type sendUnaryData, type Server, type ServerUnaryCall, type ServerWritableStream, type ServiceDefinition } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { asBuffer } from './protocol-buffers.js';

/**
 * grpc.health.v1.Health, the service Kubernetes' gRPC probes and grpc_health_probe call: Check, Watch and List.
 * Its three messages are declared here through protobufjs, which the inference service loads anyway. The
 * grpc-health-check package would read its .proto through @grpc/proto-loader and a second protobufjs at every
 * start with GRPC_PORT set, 80-100 ms of a start (docs/server.md, Start-up). The tests call this service with
 * that package's own definition, so the two stay interchangeable on the wire.
 */

export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

const SERVICE = 'grpc.health.v1.Health';

const types = (() => {
  const root = new protobuf.Root();
  root.define('grpc.health.v1')
    .add(new protobuf.Enum('ServingStatus', { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 }))
    .add(new protobuf.Type('HealthCheckRequest').add(new protobuf.Field('service', 1, 'string')))
    .add(new protobuf.Type('HealthCheckResponse').add(new protobuf.Field('status', 1, 'ServingStatus')))
    .add(new protobuf.Type('HealthListRequest'))
    .add(new protobuf.Type('HealthListResponse').add(new protobuf.MapField('statuses', 1, 'string', 'HealthCheckResponse')));
  root.resolveAll();
  const type = (name: string) => root.lookupType(`grpc.health.v1.${name}`);
  return { checkRequest: type('HealthCheckRequest'), checkResponse: type('HealthCheckResponse'), listRequest: type('HealthListRequest'), listResponse: type('HealthListResponse') };
})();

// Messages cross as plain objects with enums by name, as @grpc/proto-loader clients see them.
const asObject = { enums: String, defaults: true } as const;

function method(name: string, request: protobuf.Type, response: protobuf.Type, responseStream: boolean): ServiceDefinition[string] {
  return {
    path: `/${SERVICE}/${name}`,
    requestStream: false,
    responseStream,
    requestSerialize: (value: object) => asBuffer(request.encode(request.fromObject(value)).finish()),
    requestDeserialize: (bytes: Buffer) => request.toObject(request.decode(bytes), asObject),
    responseSerialize: (value: object) => asBuffer(response.encode(response.fromObject(value)).finish()),
    responseDeserialize: (bytes: Buffer) => response.toObject(response.decode(bytes), asObject),
    originalName: name.charAt(0).toLowerCase() + name.slice(1),
  };
}

/** The service's definition, for a server and for a client alike. */
export const healthServiceDefinition: ServiceDefinition = {
  Check: method('Check', types.checkRequest, types.checkResponse, false),
  Watch: method('Watch', types.checkRequest, types.checkResponse, true),
  List: method('List', types.listRequest, types.listResponse, false),
};

type Watcher = (status: ServingStatus) => void;

/** The status of each named service, answered to Check and List and pushed to Watch streams as it changes. */
export class HealthStatuses {
  private readonly statuses = new Map<string, ServingStatus>();
  private readonly watchers = new Map<string, Set<Watcher>>();

  constructor(initial: Readonly<Record<string, ServingStatus>> = {}) {
    for (const [service, status] of Object.entries(initial)) this.statuses.set(service, status);
  }

  /** Sets a service's status and tells its watchers, when it changed. */
  set(service: string, status: ServingStatus): void {
    if (this.statuses.get(service) === status) return;
    this.statuses.set(service, status);
    for (const watcher of this.watchers.get(service) ?? []) watcher(status);
  }

  addTo(server: Server): void {
    server.addService(healthServiceDefinition, {
      Check: (call: ServerUnaryCall<{ service: string }, object>, callback: sendUnaryData<object>) => {
        const status = this.statuses.get(call.request.service);
        if (status === undefined) callback({ code: grpcStatus.NOT_FOUND, details: `no health status for service "${call.request.service}"` });
        else callback(null, { status });
      },
      Watch: (call: ServerWritableStream<{ service: string }, object>) => {
        const { service } = call.request;
        // An unknown service may appear later: its watchers hear SERVICE_UNKNOWN first, then its status.
        const watcher: Watcher = (status) => { call.write({ status }); };
        let set = this.watchers.get(service);
        if (set === undefined) this.watchers.set(service, set = new Set());
        set.add(watcher);
        call.on('cancelled', () => { set.delete(watcher); });
        watcher(this.statuses.get(service) ?? 'SERVICE_UNKNOWN');
      },
      List: (_call: ServerUnaryCall<object, object>, callback: sendUnaryData<object>) => {
        const statuses: Record<string, { status: ServingStatus }> = {};
        for (const [service, status] of this.statuses) statuses[service] = { status };
        callback(null, { statuses });
      },
    });
  }
}
