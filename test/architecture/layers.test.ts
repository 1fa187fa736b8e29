import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { packageRoot } from '../../src/foundation/package-files.js';

interface Violation { from: string; to: string; rule: { name: string } }
interface Report { modules: { source: string }[]; summary: { violations: Violation[] } }
interface Graph {
  cruise(cwd?: string, config?: string): Report;
  mermaidDiagram(report: Report): string;
  layerOf(path: string): string | undefined;
}

const graph = await import(join(packageRoot, 'scripts', 'architecture', 'dependency-graph.mjs')) as Graph;
const { layers } = createRequire(import.meta.url)(join(packageRoot, 'scripts', 'architecture', 'layers.cjs')) as { layers: string[][] };

describe('the layers of src/ (dependency-cruiser, type-only imports included)', () => {
  const report = graph.cruise();

  test('no import runs against the layer order, no cycle, no dev dependency, nothing unresolvable', () => {
    assert.deepEqual(report.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`), []);
  });

  test('every folder of src/ has its place in the order', () => {
    const placed = new Set(layers.flat());
    const folders = new Set(report.modules.map((m) => graph.layerOf(m.source)).filter((l): l is string => l !== undefined));
    assert.deepEqual([...folders].filter((f) => !placed.has(f)), [], 'add the folder to scripts/architecture/layers.cjs and docs/architecture.md');
  });

  test('docs/architecture.md carries the diagram of the code as it is (npm run architecture)', () => {
    const text = readFileSync(join(packageRoot, 'docs', 'architecture.md'), 'utf8');
    assert.ok(text.includes(graph.mermaidDiagram(report)), 'the diagram in docs/architecture.md is stale: run npm run architecture');
  });

  test('the rules can fail: an upward import, a type-only cycle, a dev dependency and browser code mixed with Node code are each reported', () => {
    const work = mkdtempSync(join(tmpdir(), 'churn-layers-'));
    try {
      mkdirSync(join(work, 'src', 'model'), { recursive: true });
      mkdirSync(join(work, 'src', 'explain'), { recursive: true });
      writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'fixture', type: 'module', devDependencies: { 'a-dev-tool': '1.0.0' } }));
      writeFileSync(join(work, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }));
      // model (layer 2) imports explain (layer 3); explain imports model back, for types only: a cycle.
      writeFileSync(join(work, 'src', 'model', 'tree.ts'), "import type { Reason } from '../explain/reason.js';\nexport interface Tree { reason?: Reason }\n");
      writeFileSync(join(work, 'src', 'explain', 'reason.ts'), "import type { Tree } from '../model/tree.js';\nexport interface Reason { tree?: Tree }\n");
      writeFileSync(join(work, 'src', 'explain', 'dev.ts'), "import 'a-dev-tool';\nexport const x = 1;\n");
      // Browser code that reads a Node.js module, and a server module that imports browser code.
      mkdirSync(join(work, 'src', 'console'), { recursive: true });
      mkdirSync(join(work, 'src', 'server'), { recursive: true });
      writeFileSync(join(work, 'src', 'console', 'page.ts'), "import { readFileSync } from 'node:fs';\nexport const page = readFileSync;\n");
      writeFileSync(join(work, 'src', 'server', 'routes.ts'), "import { page } from '../console/page.js';\nexport const routes = page;\n");
      mkdirSync(join(work, 'node_modules', 'a-dev-tool'), { recursive: true });
      writeFileSync(join(work, 'node_modules', 'a-dev-tool', 'package.json'), JSON.stringify({ name: 'a-dev-tool', version: '1.0.0', main: 'index.js' }));
      writeFileSync(join(work, 'node_modules', 'a-dev-tool', 'index.js'), '');
      writeFileSync(join(work, '.dependency-cruiser.cjs'), readFileSync(join(packageRoot, '.dependency-cruiser.cjs'), 'utf8')
        .replace("require('./scripts/architecture/layers.cjs')", `require(${JSON.stringify(join(packageRoot, 'scripts', 'architecture', 'layers.cjs'))})`));
      const rules = new Set(graph.cruise(work, join(work, '.dependency-cruiser.cjs')).summary.violations.map((v) => v.rule.name));
      for (const rule of ['layer-model', 'no-circular', 'no-dev-dependencies-in-src', 'browser-code-apart', 'browser-code-without-node']) assert.ok(rules.has(rule), `${rule} not reported: ${[...rules].join(', ')}`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
