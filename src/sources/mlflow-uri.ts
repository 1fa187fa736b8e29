import { ChurnError } from '../errors.js';

/**
 * What a `models:/` or `runs:/` MODEL_PATH asks the MLflow tracking server for, read the way MLflow's own
 * client reads these URIs: `models:/<name>/<digits>` is a version, `models:/<name>/latest` the newest version,
 * any other suffix a (legacy) stage, `models:/<name>@<alias>` an alias (split on the last `@`), and
 * `models:/<id>` with one segment a logged model (MLflow 3, what `log_model` prints). `runs:/<run id>/<path>` is
 * an artifact path of a run.
 */
export type MlflowReference =
  | { readonly kind: 'version'; readonly name: string; readonly version: string }
  | { readonly kind: 'alias'; readonly name: string; readonly alias: string }
  | { readonly kind: 'latest'; readonly name: string; readonly stage?: string }
  | { readonly kind: 'logged-model'; readonly modelId: string }
  | { readonly kind: 'run'; readonly runId: string; readonly path: string };

/** Whether MODEL_PATH is an MLflow URI (`models:/…`, `runs:/…`), which the tracking server resolves. */
export function isMlflowUri(value: string): boolean {
  return /^(models|runs):/i.test(value);
}

function invalid(value: string, problem: string): never {
  throw new ChurnError('INVALID_CONFIG', `MODEL_PATH must be ${problem}, got ${JSON.stringify(value)}`);
}

/** Parses a `models:/` or `runs:/` URI; INVALID_CONFIG naming MODEL_PATH when it is malformed. */
export function parseMlflowUri(value: string): MlflowReference {
  const match = /^(models|runs):\/([^/].*)$/i.exec(value);
  // `models://profile/...` addresses a Databricks workspace, which this loader does not speak to.
  if (match === null) invalid(value, 'models:/<name>/<version>, models:/<name>@<alias>, models:/<name>/latest or runs:/<run id>/<path> (one slash after the colon)');
  const scheme = match[1]!.toLowerCase();
  const rest = match[2]!;
  if (/[\r\n?#]/.test(rest)) invalid(value, 'an MLflow URI without a query, fragment or line break');
  if (scheme === 'runs') {
    const slash = rest.indexOf('/');
    const runId = slash < 0 ? rest : rest.slice(0, slash);
    const path = slash < 0 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
    if (!/^[0-9a-zA-Z_-]+$/.test(runId) || path === '') invalid(value, 'runs:/<run id>/<artifact path> (the path of the model folder within the run)');
    if (path.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) invalid(value, 'runs:/<run id>/<artifact path> without empty, "." or ".." segments');
    return { kind: 'run', runId, path };
  }
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const name = rest.slice(0, at);
    const alias = rest.slice(at + 1);
    if (name === '' || alias === '' || alias.includes('/')) invalid(value, 'models:/<name>@<alias>');
    return { kind: 'alias', name, alias };
  }
  const slash = rest.lastIndexOf('/');
  if (slash < 0) return { kind: 'logged-model', modelId: rest };
  const name = rest.slice(0, slash);
  const suffix = rest.slice(slash + 1);
  if (name === '' || suffix === '') invalid(value, 'models:/<name>/<version>, models:/<name>/latest or models:/<name>@<alias>');
  if (/^\d+$/.test(suffix)) return { kind: 'version', name, version: String(Number(suffix)) };
  if (suffix.toLowerCase() === 'latest') return { kind: 'latest', name };
  return { kind: 'latest', name, stage: suffix };
}

/** The reference written back as a URI (for logs and provenance). */
export function mlflowUriOf(reference: MlflowReference): string {
  switch (reference.kind) {
    case 'version': return `models:/${reference.name}/${reference.version}`;
    case 'alias': return `models:/${reference.name}@${reference.alias}`;
    case 'latest': return `models:/${reference.name}/${reference.stage ?? 'latest'}`;
    case 'logged-model': return `models:/${reference.modelId}`;
    case 'run': return `runs:/${reference.runId}/${reference.path}`;
  }
}
