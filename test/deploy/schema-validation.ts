import { join } from 'node:path';
import ts from 'typescript';
import { packageRoot } from '../../src/foundation/package-files.js';
import { objectName, type KubernetesObject } from './kubernetes-object.js';

/**
 * Kubernetes OpenAPI schemas as shipped by kubernetes-models (generated from the upstream spec),
 * one package per Kubernetes minor, plus the CRD packages for KEDA and the Prometheus Operator.
 */
export interface SchemaSet {
  kubernetesVersion: string;
  /** The package (or npm alias) holding the built-in kinds for that minor. */
  builtinsPackage: string;
}

export const schemaSets: readonly SchemaSet[] = [
  { kubernetesVersion: '1.36', builtinsPackage: 'kubernetes-models' },
  { kubernetesVersion: '1.33', builtinsPackage: 'kubernetes-models-k8s-1.33' },
];

/** CRDs are versioned by their operators, not by Kubernetes: one schema serves every minor. */
const customResourceModules: Readonly<Record<string, string>> = {
  'keda.sh/v1alpha1/ScaledObject': '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject',
  'monitoring.coreos.com/v1/ServiceMonitor':
    '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor',
  'monitoring.coreos.com/v1/PrometheusRule':
    '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule',
};

function modelModule(set: SchemaSet, object: KubernetesObject): string {
  const key = `${object.apiVersion}/${object.kind}`;
  // Core kinds live under `v1/`, grouped ones under `<group>/<version>/`: the apiVersion is the path.
  return customResourceModules[key] ?? `${set.builtinsPackage}/${key}`;
}

export interface SchemaProblem {
  object: string;
  message: string;
}

interface ModelClass {
  new (data: unknown): { validate(): void };
}

/**
 * Types, enums, formats and required fields, through the package's precompiled OpenAPI validators.
 * They accept unknown fields (the upstream schema does not forbid them); see findUnknownFields.
 */
export async function validateAgainstOpenApi(
  set: SchemaSet,
  objects: readonly KubernetesObject[],
): Promise<SchemaProblem[]> {
  const problems: SchemaProblem[] = [];
  for (const object of objects) {
    const specifier = modelModule(set, object);
    let model: ModelClass | undefined;
    try {
      const loaded = (await import(specifier)) as Record<string, ModelClass | undefined>;
      model = loaded[object.kind];
    } catch {
      model = undefined;
    }
    if (model === undefined) {
      problems.push({ object: objectName(object), message: `no schema for ${object.apiVersion} ${object.kind}` });
      continue;
    }
    try {
      new model(object).validate();
    } catch (error) {
      const details = (error as { details?: { instancePath?: string; message?: string }[] }).details ?? [];
      const message =
        details.map((d) => `${d.instancePath ?? ''} ${d.message ?? ''}`.trim()).join('; ') || String(error);
      problems.push({ object: objectName(object), message });
    }
  }
  return problems;
}

/**
 * Unknown fields at any depth, as `kubectl --validate=strict` or `kubeconform -strict` would reject
 * them: each object becomes a typed object literal of the package's generated interface, and the
 * TypeScript checker's excess-property check does the rest (wrong types and enums show up too).
 * Objects come in named groups (one per overlay, say) so one compilation serves them all; the
 * checker reports the first unknown field of each object literal.
 */
export function findUnknownFields(
  set: SchemaSet,
  groups: Readonly<Record<string, readonly KubernetesObject[]>>,
): Record<string, SchemaProblem[]> {
  const entries = Object.entries(groups).flatMap(([group, objects]) => objects.map((object) => ({ group, object })));
  const lines: string[] = [];
  const entryAtLine: ((typeof entries)[number] | undefined)[] = [];
  entries.forEach(({ object }, index) => {
    lines.push(`import type { I${object.kind} as T${index} } from ${JSON.stringify(modelModule(set, object))};`);
    entryAtLine.push(undefined);
  });
  entries.forEach((entry, index) => {
    const literal = `export const o${index}: T${index} = ${JSON.stringify(entry.object, null, 2)};`.split('\n');
    for (const line of literal) {
      lines.push(line);
      entryAtLine.push(entry);
    }
  });

  // A file that exists only in memory, placed in the repository so node_modules resolves.
  const fileName = join(packageRoot, `strict-schema-check-${set.kubernetesVersion}.mts`);
  const source = lines.join('\n');
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2023.d.ts'],
    types: [],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (name) => (name === fileName ? source : readFile(name));
  host.fileExists = (name) => name === fileName || fileExists(name);
  host.getSourceFile = (name, languageVersion, ...rest) =>
    name === fileName
      ? ts.createSourceFile(name, source, languageVersion, true)
      : getSourceFile(name, languageVersion, ...rest);

  const program = ts.createProgram([fileName], options, host);
  const problems: Record<string, SchemaProblem[]> = Object.fromEntries(Object.keys(groups).map((g) => [g, []]));
  for (const diagnostic of ts.getPreEmitDiagnostics(program, program.getSourceFile(fileName))) {
    const line =
      diagnostic.file !== undefined && diagnostic.start !== undefined
        ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line
        : -1;
    const entry = entryAtLine[line];
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    // An import that does not resolve means a kind without a schema: report it against every group.
    if (entry === undefined) {
      for (const list of Object.values(problems)) list.push({ object: '(schema check)', message });
    } else {
      problems[entry.group]?.push({ object: objectName(entry.object), message });
    }
  }
  return problems;
}
