import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ChurnError } from '../../src/errors.js';

/** A one-line catalogue error with this code. */
export function isCode(code: string) {
  return (error: unknown) => error instanceof ChurnError && error.code === code && !error.message.includes('\n');
}

/** An MLflow model folder as MLflow writes one: MLmodel (YAML, the signature as JSON strings) beside the model file. */
export function mlflowFolder(root: string, name: string, mlmodel: Record<string, unknown> | string, files: Record<string, string | Buffer> = {}): string {
  const directory = join(root, name);
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, 'MLmodel'), typeof mlmodel === 'string' ? mlmodel : stringify(mlmodel));
  for (const [file, content] of Object.entries(files)) writeFileSync(join(directory, file), content);
  return directory;
}

/** An MLflow column signature (`signature.inputs`) of named columns of one type. */
export const columns = (names: string[], type = 'double', required = true) => JSON.stringify(names.map((name) => ({ type, name, required })));

/** The MLmodel flavours mlflow.xgboost.log_model writes. */
export const xgboostFlavor = (format = 'json') => ({
  xgboost: { data: `model.${format}`, model_format: format, xgb_version: '3.2.0' },
  python_function: { loader_module: 'mlflow.xgboost', data: `model.${format}` },
});
