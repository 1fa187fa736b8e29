import { fetchModel, prefixed, type FetchOptions } from '../sources/fetch-model.js';
import type { ModelProvenance } from '../sources/model-provenance.js';
import { isMlflowModelFolder } from './mlflow-folder-check.js';
import type { ModelRuntime } from './model-runtime.js';
import { openModel } from './open-model.js';
import { sidecarManifestName } from './sidecar-manifest.js';

/** A loaded model and where it came from (GET /model, the start-up log and metrics labels show the provenance). */
export interface OpenedModel {
  runtime: ModelRuntime;
  provenance: ModelProvenance;
}

/**
 * MODEL_PATH to a runtime and its provenance: fetch or resolve (URLs with the model's sidecar manifest beside them,
 * `models:/`, `runs:/`), verify, load (an MLflow model folder through its flavour). Every runtime holds its model in
 * memory once loaded, so the downloaded copy is removed right after.
 */
export async function openModelWithProvenance(modelPath: string, options: FetchOptions = {}): Promise<OpenedModel> {
  const fetched = await fetchModel(modelPath, { companion: sidecarManifestName, ...options });
  try {
    if (!isMlflowModelFolder(fetched.path)) return { runtime: await openModel(fetched.path), provenance: fetched.provenance };
    const downloaded = fetched.provenance.kind !== 'local';
    const { openMlflowModelFolder } = await import('./mlflow-model-folder.js');
    const open = () => openMlflowModelFolder(fetched.path, {
      ...fetched.identity, ...(options.sha256 === undefined ? {} : { sha256: options.sha256 }), ...(options.log === undefined ? {} : { log: options.log }),
    });
    // Errors about a downloaded folder name MODEL_PATH, not the temporary directory it landed in.
    const opened = downloaded ? await prefixed(`MODEL_PATH ${fetched.provenance.source}`, () => open().catch((error: unknown) => {
      if (error instanceof Error) error.message = error.message.replaceAll(`${fetched.path}/`, '');
      throw error;
    })) : await open();
    return { runtime: opened.runtime, provenance: { ...fetched.provenance, flavor: opened.flavor, sha256: opened.sha256 } };
  } finally {
    fetched.dispose();
  }
}

/** MODEL_PATH to a runtime (openModelWithProvenance without the provenance). */
export async function openModelFrom(modelPath: string, options: FetchOptions = {}): Promise<ModelRuntime> {
  return (await openModelWithProvenance(modelPath, options)).runtime;
}
