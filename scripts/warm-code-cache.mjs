// Starts the built server once, so it writes V8's code cache beside its bundle (src/foundation/code-cache.ts), then
// stops it. Run by `npm run build` and by the image's build stage: the image's file system is read-only at run time,
// so a cache it does not carry is never written, and every pod would compile the server at every start.
// The start is the default one, gRPC on, so the cache holds the gRPC server's start too. It never fails the build:
// a server that cannot start here is the tests' to report; without a cache the first start writes one.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../dist/src/foundation/free-port.js';
import { builtCli, SERVER_NODE_FLAGS } from '../dist/src/foundation/server-launch.js';

function warn(message) {
  process.stderr.write(`warm-code-cache: ${message}; the server's first start will write the cache instead\n`);
}

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = join(root, 'dist', 'src', 'bundle');
// The defaults, whatever the shell that builds has set (a MODEL_PATH to download, NODE_OPTIONS' V8 flags).
const defaults = { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
// The cache's name holds V8's tag for its flags: asked of a process started as the server will be, not of this one
// (whose NODE_OPTIONS the server does not get).
const loader = new URL('../dist/src/foundation/code-cache.js', import.meta.url).href;

/** Writes the cache of a server started with `node <flags> main.js serve`, unless there is one. */
async function warm(flags) {
  let suffix;
  try {
    suffix = execFileSync(process.execPath, [...flags, '--input-type=module', '-e', `import { CODE_CACHE_SUFFIX } from ${JSON.stringify(loader)}; process.stdout.write(CODE_CACHE_SUFFIX);`], { env: defaults, encoding: 'utf8' });
  } catch (error) {
    warn(`the cache's name could not be read (${error.message.split('\n')[0]})`);
    return;
  }
  const hasCache = () => existsSync(bundle) && readdirSync(bundle).some((name) => name.startsWith('serve-') && name.endsWith(suffix));
  if (hasCache()) return;
  const started = performance.now();
  const child = spawn(process.execPath, [...flags, builtCli, 'serve'], {
    cwd: root,
    env: { ...defaults, PORT: '0', GRPC_PORT: String(await freePort()) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  // The server writes the cache right after it starts listening; poll for it rather than parse its log.
  const deadline = Date.now() + 60_000;
  while (!hasCache() && child.exitCode === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  const exitedEarly = child.exitCode !== null;
  // The cache is in place (renamed whole): nothing to drain, and a graceful stop waits out its drain delay.
  child.kill('SIGKILL');
  const code = await exited;
  const launch = ['node', ...flags].join(' ');
  if (hasCache()) process.stdout.write(`warm-code-cache: the server's code cache (${launch}) written in ${Math.round(performance.now() - started)} ms\n`);
  else if (exitedEarly) warn(`the server (${launch}) exited (${code}) before writing one: ${stderr.trim().split('\n').at(-1) ?? ''}`);
  else warn(`no cache (${launch}) after 60 s`);
}

// The server as launched (npm start, the image) and as plain `node dist/src/cli/main.js serve` (the bin, tests): one
// cache where V8 gives both flag sets one tag (Node 24), two where it does not (Node 20).
for (const flags of [SERVER_NODE_FLAGS, []]) await warm(flags);
