import type { FastifyInstance } from 'fastify';
import type { ModelRuntime } from '../../../src/runtimes/model-runtime.js';
import { startGrpcServer, type RunningGrpcServer } from '../../../src/server/grpc/grpc-server.js';
import type { ServingCore } from '../../../src/serving/serving-core.js';
import { testApp, testConfig } from '../app-harness.js';
import { inferenceClient, type InferenceClient } from './grpc-client.js';

export interface GrpcApp {
  app: FastifyInstance;
  core: ServingCore;
  grpc: RunningGrpcServer;
  client: InferenceClient;
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

/**
 * The HTTP app (for comparing answers with V2 REST) and the gRPC endpoint over one serving core, as startServer
 * wires them, with the gRPC server on a port of the kernel's choosing and a client connected to it.
 */
export async function grpcApp(env: Record<string, string> = {}, runtime?: ModelRuntime): Promise<GrpcApp> {
  const { app, core, logs } = await testApp({ LOG_LEVEL: 'info', ...env }, runtime);
  const config = { ...testConfig({ LOG_LEVEL: 'info', ...env }), host: '127.0.0.1', grpcPort: 0 };
  const grpc = await startGrpcServer(config, core, app.log.child({ transport: 'grpc' }));
  const client = inferenceClient(grpc.port);
  return {
    app, core, grpc, client, logs,
    close: async () => {
      client.close();
      await grpc.closeRemaining();
      await app.close();
    },
  };
}
