// The dependencies of src/ as dependency-cruiser sees them (type-only imports included), by file and by folder.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const { layers } = require('./layers.cjs');

/** Runs depcruise in `cwd` with the project's rules; returns its JSON report (modules, summary with violations). */
export function cruise(cwd = root, config = join(root, '.dependency-cruiser.cjs')) {
  const cli = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
  const output = execFileSync(process.execPath, [cli, 'src', '--config', config, '--output-type', 'json'], {
    cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(output);
}

/** The layer name of a file under src/ (its folder, or errors / index). */
export function layerOf(path) {
  const match = /^src\/([^/]+?)(\.ts)?(\/|$)/.exec(path);
  return match === null ? undefined : match[1];
}

/** Folder-level edges "from -> to" (sorted), from a depcruise report. */
export function folderEdges(report) {
  const edges = new Set();
  for (const module of report.modules) {
    const from = layerOf(module.source);
    if (from === undefined) continue;
    for (const dependency of module.dependencies) {
      const to = layerOf(dependency.resolved);
      if (to !== undefined && to !== from) edges.add(`${from} -> ${to}`);
    }
  }
  return [...edges].sort();
}

// Every layer may use these two; drawing their edges would hide the ones that tell something.
const everywhere = new Set(['errors', 'foundation']);

/** The Mermaid diagram of docs/architecture.md: one row per layer, lowest at the bottom, and every folder edge but those to errors and foundation. */
export function mermaidDiagram(report) {
  const present = new Set(report.modules.map((m) => layerOf(m.source)).filter((l) => l !== undefined));
  const lines = ['```mermaid', 'flowchart BT'];
  layers.forEach((group, level) => {
    const names = group.filter((name) => present.has(name));
    if (names.length === 0) return;
    lines.push(`  subgraph L${level}["layer ${level}"]`);
    for (const name of names) lines.push(`    ${name.replace(/-/g, '_')}["${name}"]`);
    lines.push('  end');
  });
  for (const edge of folderEdges(report)) {
    const [from, to] = edge.split(' -> ');
    if (everywhere.has(to)) continue;
    lines.push(`  ${from.replace(/-/g, '_')} --> ${to.replace(/-/g, '_')}`);
  }
  lines.push('```');
  return lines.join('\n');
}
