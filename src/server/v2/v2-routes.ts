import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ChurnError, type FieldError } from '../../errors.js';
import { packageRoot } from '../../foundation/package-files.js';
import type { ModelRuntime } from '../../model/runtimes/model-runtime.js';
import { requireApiKey } from '../api-key-auth.js';
import { toChurnError } from '../error-response.js';
import { checkInput, recordsOf, responseOutput, V2BadRequest } from './v2-tensors.js';

export interface V2Options {
  runtime: ModelRuntime;
  /** Whether the model is loaded, warmed up and the server not draining. */
  ready: () => boolean;
  /** `GET /v2` name and version; the package's by default. */
  serverName?: string;
  serverVersion?: string;
  apiKeys?: readonly string[];
}

const packageJson = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { name: string; version: string };

const CONTRIBUTIONS = 'contributions';

const PLATFORMS = { native: 'churn-predictor_native', 'xgboost-json': 'xgboost_json', onnx: 'onnxruntime_onnx' } as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeFields(details: readonly FieldError[]): string {
  const shown = details.slice(0, 5).map((d) => `${d.path}: ${d.message}`).join('; ');
  return details.length > 5 ? `${shown}; … ${details.length - 5} more` : shown;
}

/**
 * The Open Inference Protocol V2 (REST) over one model runtime, as an encapsulated Fastify plugin with its
 * own error shape: every error is `{"error": "..."}`, 400 for a bad request, 404 for an unknown model or
 * version, 503 when not ready. Health answers by status code (200 true, 503 false), as KServe does.
 */
export function v2Routes(options: V2Options) {
  const { runtime } = options;
  const d = runtime.description;
  const metadata = {
    name: d.name,
    versions: [d.version],
    platform: PLATFORMS[d.format],
    inputs: d.inputs.map((i) => ({ name: i.name, datatype: i.type === 'category' ? 'BYTES' : 'FP64', shape: [-1] })),
    outputs: d.outputs.map((o) => ({ name: o.name, datatype: o.datatype, shape: o.width === 1 ? [-1] : [-1, o.width] })),
  };

  const fail = (reply: FastifyReply, status: number, error: string) => reply.code(status).send({ error });
  const model = (name: string, version: string | undefined): string | undefined => {
    if (name !== d.name) return `unknown model "${name}"; this server serves "${d.name}"`;
    if (version !== undefined && version !== d.version) return `model "${name}" has no version "${version}"; it serves version "${d.version}"`;
    return undefined;
  };

  // Under its own prefix, so its not-found handler answers only /v2/… paths.
  return async (root: FastifyInstance): Promise<void> => root.register(async (app) => {
    app.setErrorHandler((thrown, _request, reply) => {
      if (thrown instanceof V2BadRequest) return fail(reply, 400, thrown.message);
      const error = toChurnError(thrown);
      if (error.code === 'INVALID_RECORD') return fail(reply, 400, `${error.message}: ${describeFields(error.details)}`);
      // 422s of the catalogue are bad input to V2 clients, which only know 400.
      return fail(reply, error.status === 422 ? 400 : error.status, error.message);
    });
    app.setNotFoundHandler((request, reply) => fail(reply, 404, `no V2 route for ${request.method} ${request.url.slice(0, 200)}`));

    app.get('/', async () => ({ name: options.serverName ?? packageJson.name, version: options.serverVersion ?? packageJson.version, extensions: [] }));
    app.get('/health/live', async () => ({ live: true }));
    app.get('/health/ready', async (_request, reply) => reply.code(options.ready() ? 200 : 503).send({ ready: options.ready() }));

    app.register(async (scope) => {
      requireApiKey(scope, options.apiKeys ?? []);
      type Params = { name: string; version?: string };
      const metadataHandler = async (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
        const problem = model(request.params.name, request.params.version);
        return problem === undefined ? reply.send(metadata) : fail(reply, 404, problem);
      };
      const readyHandler = async (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
        const problem = model(request.params.name, request.params.version);
        if (problem !== undefined) return fail(reply, 404, problem);
        return reply.code(options.ready() ? 200 : 503).send({ name: d.name, ready: options.ready() });
      };
      const inferHandler = async (request: FastifyRequest<{ Params: Params; Body: unknown }>, reply: FastifyReply) => {
        const problem = model(request.params.name, request.params.version);
        if (problem !== undefined) return fail(reply, 404, problem);
        if (!options.ready()) throw new ChurnError('NOT_READY', 'the model is not ready');
        const body = request.body;
        if (!isRecord(body)) throw new V2BadRequest('the request body must be a JSON object (an inference request)');
        if (body['id'] !== undefined && typeof body['id'] !== 'string') throw new V2BadRequest('id must be a string');
        if (body['parameters'] !== undefined && !isRecord(body['parameters'])) throw new V2BadRequest('parameters must be an object');
        if (!Array.isArray(body['inputs'])) throw new V2BadRequest('inputs must be a list of tensors');
        const requested = body['outputs'];
        if (requested !== undefined && !(Array.isArray(requested) && requested.every((o) => isRecord(o) && typeof o['name'] === 'string'))) {
          throw new V2BadRequest('outputs must be a list of {"name": ...}');
        }
        const wanted = (requested as { name: string }[] | undefined)?.map((o) => o.name);
        const explainable = runtime.explain !== undefined;
        for (const name of wanted ?? []) {
          if (!d.outputs.some((o) => o.name === name) && !(explainable && name === CONTRIBUTIONS)) {
            throw new V2BadRequest(`unknown output "${name}"; the model's outputs are ${d.outputs.map((o) => o.name).join(', ')}${explainable ? `, ${CONTRIBUTIONS}` : ''}`);
          }
        }
        // Explanations are an extra output, computed only when asked for: by name, or with parameters.explain.
        const explain = (body['parameters'] as Record<string, unknown> | undefined)?.['explain'] === true || (wanted?.includes(CONTRIBUTIONS) ?? false);
        if (explain && !explainable) throw new V2BadRequest(`this ${d.format} model cannot be explained`);
        const records = recordsOf(runtime, body['inputs'].map(checkInput));
        const outputs = (await runtime.predict(records)).filter((o) => wanted === undefined || wanted.includes(o.name)).map((o) => responseOutput(o, records.length));
        if (explain) {
          const contributions = responseOutput(await runtime.explain!(records), records.length);
          // The columns of a contributions row: each input's contribution to the margin (log-odds), then the base value.
          outputs.push({ ...contributions, parameters: { columns: [...d.inputs.map((i) => i.name), 'base_value'].join(',') } });
        }
        return reply.send({
          model_name: d.name,
          model_version: d.version,
          ...(body['id'] !== undefined ? { id: body['id'] } : {}),
          outputs,
        });
      };
      scope.get<{ Params: Params }>('/models/:name', metadataHandler);
      scope.get<{ Params: Params }>('/models/:name/versions/:version', metadataHandler);
      scope.get<{ Params: Params }>('/models/:name/ready', readyHandler);
      scope.get<{ Params: Params }>('/models/:name/versions/:version/ready', readyHandler);
      scope.post<{ Params: Params; Body: unknown }>('/models/:name/infer', inferHandler);
      scope.post<{ Params: Params; Body: unknown }>('/models/:name/versions/:version/infer', inferHandler);
    });
  }, { prefix: '/v2' });
}
