import { openModel } from '../runtimes/open-model.js';
import type { ModelRuntime } from '../runtimes/model-runtime.js';
import { fetchModel, type FetchOptions } from './fetch-model.js';

/**
 * MODEL_PATH to a ready runtime: fetch (when it is a URL), verify, load. Every runtime holds its model in
 * memory once loaded, so the downloaded copy is removed right after.
 */
export async function openModelFrom(modelPath: string, options: FetchOptions = {}): Promise<ModelRuntime> {
  const fetched = await fetchModel(modelPath, options);
  try {
    return await openModel(fetched.path);
  } finally {
    fetched.dispose();
  }
}
