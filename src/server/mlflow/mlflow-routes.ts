import { performance } from 'node:perf_hooks';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ChurnError, isChurnError } from '../../errors.js';
import { packageInfo } from '../../foundation/package-files.js';
import {
  checkRequiredColumns, csvInput, decodeMlflowJson, locatedInBody, mlflowPredictions, type MlflowInput,
} from '../../serving/codecs/mlflow-scoring.js';
import type { InferResult } from '../../serving/data-plane.js';
import type { MaybePromise } from '../../serving/maybe-promise.js';
import type { ServingCore } from '../../serving/serving-core.js';
import { errorBody } from '../http-errors.js';
import { mlflowRouteSchemas } from './mlflow-openapi.js';
import { protocolScope, sendAnswer, type HttpProtocol } from '../protocol-scope.js';
import { healthAnswer } from '../routes/probes.js';

/** MLflow's name for an error of this status (MLflow's HTTP_STATUS_TO_ERROR_CODE, read from its exceptions module). */
function mlflowErrorCode(error: ChurnError, status: number): string {
  if (error.code === 'INVALID_RECORD') return 'INVALID_PARAMETER_VALUE';
  switch (status) {
    case 401: return 'UNAUTHENTICATED';
    case 404: return 'ENDPOINT_NOT_FOUND';
    case 503: return 'TEMPORARILY_UNAVAILABLE';
    case 504: return 'DEADLINE_EXCEEDED';
    default: return status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST';
  }
}

/**
 * The MLflow scoring protocol's wire shape for errors: MLflow's statuses (a request that parsed but is not valid is
 * 400, as MLflow answers it; a content type it does not take is 415) and fields (`error_code`, `message`, which
 * MLflow's clients read), with our `error` object (code, message, details) beside them.
 */
export const mlflowProtocol: HttpProtocol = {
  protocol: 'mlflow',
  errorResponse: (error) => {
    const status = error.status === 422 ? 400 : error.status;
    return { status, body: { error_code: mlflowErrorCode(error, status), message: error.message, ...errorBody(error) } };
  },
};

const JSON_TYPE = 'application/json';
const CSV_TYPE = 'text/csv';

/**
 * The checks MLflow's scoring server makes of the Content-Type before reading a body, each a 415: JSON or CSV (MLflow
 * also takes Parquet, which this server does not read), UTF-8, and no parameter but charset.
 */
function contentTypeProblem(header: string | undefined): string | undefined {
  if (header === undefined || header.trim() === '') return `POST /invocations needs a Content-Type: ${JSON_TYPE} or ${CSV_TYPE}`;
  const [type, ...parameters] = header.split(';').map((part) => part.trim());
  const mediaType = type!.toLowerCase();
  if (mediaType !== JSON_TYPE && mediaType !== CSV_TYPE) {
    return `POST /invocations takes ${JSON_TYPE} or ${CSV_TYPE}${mediaType === 'application/vnd.apache.parquet' ? ' (Parquet is not read here: send the frame as JSON or CSV)' : ''}, got "${header.slice(0, 100)}"`;
  }
  for (const parameter of parameters) {
    const [name, value = ''] = parameter.split('=').map((part) => part.trim().toLowerCase());
    if (name === 'charset') {
      if (value.replace(/^"|"$/g, '') !== 'utf-8') return 'the scoring protocol takes UTF-8 only';
    } else if (name !== '') {
      return `unrecognized Content-Type parameter "${name}" (MLflow 2 and later take none but charset; the scoring protocol changed in MLflow 2.0)`;
    }
  }
  return undefined;
}

/**
 * `mlflow models serve`'s protocol, so its clients work unchanged: POST /invocations (JSON with dataframe_split,
 * dataframe_records, instances or inputs, and params; or CSV) answers `{"predictions": …}`; GET /ping and /health say
 * whether the model serves (/health is the server's own, same answer), GET /version names this server's version.
 * /invocations is admitted like every data-plane call (API key, shedding) and counted as protocol "mlflow"; the
 * probes and the version are open.
 */
export function mlflowRoutes(app: FastifyInstance, core: ServingCore): void {
  const schemas = mlflowRouteSchemas(core.plane, core.authenticates);
  protocolScope(app, core, mlflowProtocol, { admit: false }, (scope) => {
    scope.get('/ping', { schema: schemas.ping }, (_request, reply) => { reply.send(healthAnswer(core)); });
    scope.get('/version', { schema: schemas.version }, (_request, reply) => { reply.type('text/plain; charset=utf-8').send(packageInfo.version); });
  });

  protocolScope(app, core, mlflowProtocol, { admit: true }, (scope) => {
    scope.addContentTypeParser(CSV_TYPE, { parseAs: 'string' }, (_request, text, done) => { done(null, text); });
    scope.addHook('preParsing', (request, _reply, payload, done) => {
      const problem = contentTypeProblem(request.headers['content-type']);
      done(problem === undefined ? null : new ChurnError('UNSUPPORTED_MEDIA_TYPE', problem), payload);
    });
    scope.post('/invocations', { schema: schemas.invocations }, (request: FastifyRequest<{ Body: unknown }>, reply: FastifyReply) => {
      const plane = core.plane;
      const description = plane.runtime.description;
      const required = description.pyfunc?.requiredColumns ?? [];
      let input: MlflowInput;
      if (typeof request.body === 'string') {
        // The data plane times its CSV parsing as the decode stage.
        input = csvInput(plane.decodeCsv(request.body, 'mlflow'));
      } else {
        const started = performance.now();
        input = decodeMlflowJson(request.body, plane.schema, required.length === 0);
        plane.observeStage('mlflow', 'decode', (performance.now() - started) / 1000);
      }
      checkRequiredColumns(input, required);
      const located = (error: unknown): never => { throw isChurnError(error) ? locatedInBody(error, input) : error; };
      let answer: MaybePromise<InferResult>;
      try {
        answer = plane.infer(input.records, {}, 'mlflow', request.id);
      } catch (error) {
        return located(error);
      }
      if (answer instanceof Promise) answer = answer.catch(located);
      return sendAnswer(reply, core, 'mlflow', answer, (result) => ({ predictions: mlflowPredictions(description, result) }));
    });
  });
}
