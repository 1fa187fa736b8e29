import { join } from 'node:path';
import { packageRoot } from '../../../src/foundation/package-files.js';

/** Manifests written for these tests, so they never depend on deploy/kubernetes/ being finished. */
export const fixtures = join(packageRoot, 'test', 'fixtures', 'autoscale');
export const productionRendered = join(fixtures, 'production-rendered.yaml');
export const baseRendered = join(fixtures, 'base-rendered.yaml');
export const seedDirectory = join(fixtures, 'seed');
export const kustomizeOverlay = join(fixtures, 'kustomize-overlay');
