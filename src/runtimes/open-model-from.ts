import { fetchModel, type FetchOptions } from '../sources/fetch-model.js';
import type { ModelRuntime } from './model-runtime.js';
import { openModel } from './open-model.js';
import { sidecarManifestName } from './sidecar-manifest.js';

/**
 * MODEL_PATH to a runtime: fetch (when it is a URL, with the model's sidecar manifest beside it), verify,
 * load. Every runtime holds its model in memory once loaded, so the downloaded copy is removed right after.
 */
export async function openModelFrom(modelPath: string, options: FetchOptions = {}): Promise<ModelRuntime> {
  const fetched = await fetchModel(modelPath, { companion: sidecarManifestName, ...options });
  try {
    return await openModel(fetched.path);
  } finally {
    fetched.dispose();
  }
}
