/**
 * One Python virtual environment per peer (they pin conflicting versions), made from the peer's pinned
 * requirements.txt under the git-ignored cache folder and reused while the requirements file is unchanged.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export interface PythonEnvironment {
  name: string;
  directory: string;
  python: string;
  /** Seconds `pip install` took in this run; undefined when an existing environment was reused. */
  installSeconds: number | undefined;
  sizeMegabytes: number;
  /** Installed distributions, name -> version (`pip list`), for the versions the table prints. */
  versions: Map<string, string>;
}

/** The interpreter environments are made with: PEERS_PYTHON, else python3.11, else python3. */
export function basePython(): string {
  const named = process.env['PEERS_PYTHON'];
  if (named !== undefined && named !== '') return named;
  return spawnSync('python3.11', ['--version']).status === 0 ? 'python3.11' : 'python3';
}

function run(command: string, args: string[], log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (chunk: Buffer) => { tail = (tail + chunk.toString('utf8')).slice(-4000); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    // pip is quiet (-q) but slow: say it is still going, once every 15 s.
    const started = performance.now();
    const ticker = setInterval(() => log(`  ... ${((performance.now() - started) / 1000).toFixed(0)} s`), 15_000);
    child.on('error', (error) => { clearInterval(ticker); reject(error); });
    child.on('exit', (code) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${tail}`));
    });
  });
}

function directoryMegabytes(directory: string): number {
  const du = spawnSync('du', ['-sk', directory], { encoding: 'utf8' });
  return du.status === 0 ? Number(du.stdout.split('\t')[0]) / 1024 : Number.NaN;
}

function installedVersions(python: string): Map<string, string> {
  const list = spawnSync(python, ['-m', 'pip', 'list', '--format=json', '--disable-pip-version-check'], { encoding: 'utf8' });
  if (list.status !== 0) return new Map();
  const entries = JSON.parse(list.stdout) as { name: string; version: string }[];
  return new Map(entries.map((e) => [e.name.toLowerCase().replaceAll('_', '-'), e.version]));
}

/**
 * The environment `name` under `cacheDirectory`, created from `requirementsFile` if it is missing or was made
 * from another version of that file (a stamp inside it holds the file's hash and the interpreter's version).
 */
export async function pythonEnvironment(name: string, requirementsFile: string, cacheDirectory: string, log: (line: string) => void): Promise<PythonEnvironment> {
  const directory = join(cacheDirectory, 'venvs', name);
  const python = join(directory, 'bin', 'python');
  const base = basePython();
  const baseVersion = spawnSync(base, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const stamp = createHash('sha256').update(readFileSync(requirementsFile)).update(baseVersion).digest('hex');
  const stampFile = join(directory, '.requirements-stamp');
  let installSeconds: number | undefined;
  if (!(existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp)) {
    log(`${name}: creating a virtual environment (${baseVersion}, pinned ${requirementsFile}); only when it is missing or its requirements changed`);
    rmSync(directory, { recursive: true, force: true });
    const started = performance.now();
    await run(base, ['-m', 'venv', directory], log);
    await run(python, ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', '--no-input', '-r', requirementsFile], log);
    installSeconds = (performance.now() - started) / 1000;
    writeFileSync(stampFile, stamp);
    log(`${name}: installed in ${installSeconds.toFixed(0)} s`);
  }
  return { name, directory, python, installSeconds, sizeMegabytes: directoryMegabytes(directory), versions: installedVersions(python) };
}
