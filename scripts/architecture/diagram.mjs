#!/usr/bin/env node
// Writes the dependency diagram of src/ into docs/architecture.md (between its diagram markers), generated from the
// code by dependency-cruiser. test/architecture/layers.test.ts fails when the committed diagram is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, mermaidDiagram } from './dependency-graph.mjs';

const file = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'architecture.md');
const START = '<!-- diagram:start (npm run architecture) -->';
const END = '<!-- diagram:end -->';
const text = readFileSync(file, 'utf8');
const [before, rest] = text.split(START);
const after = rest?.split(END)[1];
if (before === undefined || after === undefined) throw new Error(`${file} has no diagram markers`);
writeFileSync(file, `${before}${START}\n${mermaidDiagram(cruise())}\n${END}${after}`);
process.stdout.write(`wrote the diagram into ${file}\n`);
