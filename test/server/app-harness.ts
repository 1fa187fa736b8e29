import type { FastifyInstance } from 'fastify';
import { loadServerConfig, type ServerConfig } from '../../src/config/server-config.js';
import { loadModelArtifact, type LoadedModel } from '../../src/model/artifact-loader.js';
import { bundledModelDirectory } from '../../src/model/bundled-model.js';
import type { ModelRuntime } from '../../src/runtimes/model-runtime.js';
import { NativeRuntime } from '../../src/runtimes/native-runtime.js';
import { buildApp } from '../../src/server/app.js';
import { openServingCore, servingSettings } from '../../src/serving/open-serving-core.js';
import type { ServingCore } from '../../src/serving/serving-core.js';

let model: LoadedModel | undefined;

/** The bundled model, loaded once per test process. */
export function bundledModel(): LoadedModel {
  model ??= loadModelArtifact(bundledModelDirectory);
  return model;
}

/**
 * Server configuration from environment-style overrides: quiet logs, and no load shedding (a test process
 * blocks its event loop for long stretches, e.g. parsing the data file, which would trip it at random).
 */
export function testConfig(env: Record<string, string> = {}): ServerConfig {
  return loadServerConfig({ LOG_LEVEL: 'silent', MAX_EVENT_LOOP_DELAY_MS: '0', ...env });
}

export interface TestApp {
  app: FastifyInstance;
  core: ServingCore;
  logs: Record<string, unknown>[];
}

/** The serving core over a runtime (the bundled model by default) with a test configuration, warmed up. */
export async function testCore(config: ServerConfig, runtime: ModelRuntime = new NativeRuntime(bundledModel())): Promise<ServingCore> {
  return openServingCore(runtime, servingSettings(config));
}

/** An app over a runtime (the bundled model by default), ready for inject(); logs are captured as parsed lines. */
export async function testApp(env: Record<string, string> = {}, runtime?: ModelRuntime): Promise<TestApp> {
  const config = testConfig(env);
  const core = await testCore(config, runtime);
  const logs: Record<string, unknown>[] = [];
  const app = buildApp(config, core, {
    logStream: { write: (line: string) => { logs.push(JSON.parse(line) as Record<string, unknown>); } },
  });
  await app.ready();
  return { app, core, logs };
}

/** The body of an error response, checked for the one shape every error has. */
export function errorOf(body: string): { code: string; message: string; details: { path: string; reason: string; message: string }[] } {
  const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
  const error = parsed.error;
  if (typeof error !== 'object' || error === null || typeof error.code !== 'string' || typeof error.message !== 'string' || !Array.isArray(error.details)) {
    throw new Error(`not an error body: ${body.slice(0, 200)}`);
  }
  return error as ReturnType<typeof errorOf>;
}
