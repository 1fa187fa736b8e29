import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { serveArguments } from '../../../src/foundation/server-launch.js';
import { freePort } from '../../../src/foundation/free-port.js';

/**
 * One server process started the way the container image starts it (`node dist/src/cli/main.js serve`),
 * on its own loopback port: a pod.
 */
export class Replica {
  private exit: Promise<number | null>;
  output = '';

  private constructor(readonly process: ChildProcess, readonly port: number) {
    this.exit = new Promise((resolve) => process.once('exit', (code) => resolve(code)));
    process.stdout?.on('data', (chunk: Buffer) => { this.output += chunk.toString(); });
    process.stderr?.on('data', (chunk: Buffer) => { this.output += chunk.toString(); });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(env: Record<string, string> = {}): Promise<Replica> {
    const port = await freePort();
    const child = spawn(process.execPath, serveArguments(), {
      env: { ...process.env, PORT: String(port), GRPC_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new Replica(child, port);
  }

  /** Polls /readyz until 200 (the readiness probe a pod must pass before it gets traffic). */
  async waitReady(timeoutMs = 15_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (this.process.exitCode !== null) throw new Error(`replica exited with ${this.process.exitCode}: ${this.output}`);
      try {
        const response = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(1000) });
        await response.arrayBuffer();
        if (response.status === 200) return;
      } catch { /* not listening yet */ }
      await sleep(50);
    }
    throw new Error(`replica on ${this.port} not ready within ${timeoutMs} ms: ${this.output}`);
  }

  signal(name: NodeJS.Signals): void {
    if (this.process.exitCode === null) this.process.kill(name);
  }

  /** Resolves to the exit code, or null after the timeout. */
  async exited(timeoutMs = 30_000): Promise<number | null | 'timeout'> {
    return Promise.race([this.exit, sleep(timeoutMs).then(() => 'timeout' as const)]);
  }

  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    this.signal('SIGKILL');
    await this.exited(5000);
  }
}
