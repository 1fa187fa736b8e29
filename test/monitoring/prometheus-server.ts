import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { freePort } from '../../src/foundation/free-port.js';

export interface ScrapeTarget {
  port: number;
}

export interface QueryResult {
  metric: Record<string, string>;
  value: [number, string];
}

/**
 * A real Prometheus (Debian's /usr/bin/prometheus) on a free loopback port, with its own config and storage in
 * `directory`: scrapes the targets every second under the labels a ServiceMonitor would give them
 * (namespace, service), and evaluates `rules` every second.
 */
export class PrometheusServer {
  private output = '';

  private constructor(private readonly child: ChildProcess, readonly port: number) {
    child.stdout?.on('data', (chunk: Buffer) => { this.output += chunk.toString(); });
    child.stderr?.on('data', (chunk: Buffer) => { this.output += chunk.toString(); });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get log(): string {
    return this.output;
  }

  static async start(directory: string, targets: readonly ScrapeTarget[], rules: string, labels: Record<string, string>): Promise<PrometheusServer> {
    const port = await freePort();
    mkdirSync(join(directory, 'data'), { recursive: true });
    writeFileSync(join(directory, 'rules.yaml'), rules);
    writeFileSync(join(directory, 'prometheus.yml'), stringify({
      global: { scrape_interval: '1s', scrape_timeout: '900ms', evaluation_interval: '1s' },
      rule_files: [join(directory, 'rules.yaml')],
      scrape_configs: [{
        job_name: 'churn-predictor',
        metrics_path: '/metrics',
        static_configs: [{ targets: targets.map((t) => `127.0.0.1:${t.port}`), labels }],
      }],
    }));
    const child = spawn('prometheus', [
      `--config.file=${join(directory, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(directory, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new PrometheusServer(child, port);
    await server.waitReady();
    return server;
  }

  private async waitReady(timeoutMs = 30_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`prometheus exited with ${this.child.exitCode}: ${this.output}`);
      try {
        const response = await fetch(`${this.url}/-/ready`, { signal: AbortSignal.timeout(1000) });
        await response.arrayBuffer();
        if (response.status === 200) return;
      } catch { /* not listening yet */ }
      await sleep(100);
    }
    throw new Error(`prometheus not ready within ${timeoutMs} ms: ${this.output}`);
  }

  /** An instant query through the HTTP API (what KEDA's Prometheus scaler sends). */
  async query(promql: string): Promise<QueryResult[]> {
    const response = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(promql)}`, { signal: AbortSignal.timeout(5000) });
    const body = await response.json() as { status: string; data?: { resultType: string; result: QueryResult[] }; error?: string };
    if (body.status !== 'success' || body.data === undefined) throw new Error(`query ${promql} failed: ${body.error ?? response.status}`);
    return body.data.result;
  }

  /** Polls `promql` until `accept` holds for its result; returns that result, or throws with the last one. */
  async waitFor(promql: string, accept: (result: QueryResult[]) => boolean, timeoutMs: number): Promise<QueryResult[]> {
    const deadline = performance.now() + timeoutMs;
    let last: QueryResult[] = [];
    while (performance.now() < deadline) {
      last = await this.query(promql);
      if (accept(last)) return last;
      await sleep(500);
    }
    throw new Error(`${promql} did not reach the expected state within ${timeoutMs} ms; last result: ${JSON.stringify(last)}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await Promise.race([exited, sleep(5000).then(() => this.child.kill('SIGKILL'))]);
  }
}
