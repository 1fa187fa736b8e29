// Prints the JSON Schema of manifest.json (format version 2), generated from the loader's zod schema, for
// editors and other tools: `npm run build && node scripts/manifest-json-schema.mjs > docs/model-artifact.schema.json`.
// The loader's checks that JSON Schema cannot express (counts adding up, profile against schema) are not in it.
import * as z from 'zod/mini';
import { manifestShapes } from '../dist/src/model/artifact-manifest.js';

const schema = z.toJSONSchema(manifestShapes[2], { unrepresentable: 'any', io: 'input' });
process.stdout.write(`${JSON.stringify({ ...schema, title: 'churn-predictor model manifest (format version 2)' }, null, 2)}\n`);
