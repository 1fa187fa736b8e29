import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../../src/foundation/free-port.js';

/** Whether Debian's haproxy is installed; e2e tests skip loudly (or fail in CI) without it. */
export function haproxyAvailable(): boolean {
  return spawnSync('haproxy', ['-v'], { stdio: 'ignore' }).status === 0;
}

export interface BalancerOptions {
  /** Replica slots (server-template size). */
  slots?: number;
  /** Health check of /readyz, like a readiness probe feeding endpoints. */
  checkIntervalMs?: number;
}

/**
 * HAProxy in TCP mode in front of replicas: what a Service and kube-proxy do. Connections are spread over
 * healthy endpoints (round robin) and stay where they are; no retries or redispatch, because kube-proxy has
 * none. Replicas are added and removed through the runtime API (fixed slots from a server template),
 * never by restarting HAProxy.
 */
export class HaproxyBalancer {
  private readonly slotPorts = new Map<number, number>();

  private constructor(
    private readonly process: ChildProcess,
    private readonly directory: string,
    private readonly socket: string,
    readonly port: number,
    private readonly slots: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(options: BalancerOptions = {}): Promise<HaproxyBalancer> {
    const slots = options.slots ?? 8;
    const checkIntervalMs = options.checkIntervalMs ?? 1000;
    const directory = mkdtempSync(join(tmpdir(), 'churn-haproxy-'));
    const socket = join(directory, 'admin.sock');
    const port = await freePort();
    const config = [
      'global',
      `  stats socket ${socket} mode 600 level admin`,
      '  maxconn 4000',
      'defaults',
      '  mode tcp',
      '  timeout connect 2s',
      '  timeout client 120s',
      '  timeout server 120s',
      '  retries 0',
      'frontend service',
      `  bind 127.0.0.1:${port}`,
      '  default_backend pods',
      'backend pods',
      '  balance roundrobin',
      '  option httpchk GET /readyz',
      '  http-check expect status 200',
      `  default-server inter ${checkIntervalMs} fastinter ${checkIntervalMs} downinter ${checkIntervalMs} fall 1 rise 1 check`,
      `  server-template pod 1-${slots} 127.0.0.1:1 disabled`,
      '',
    ].join('\n');
    writeFileSync(join(directory, 'haproxy.cfg'), config);
    const child = spawn('haproxy', ['-db', '-f', join(directory, 'haproxy.cfg')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const balancer = new HaproxyBalancer(child, directory, socket, port, slots);
    const deadline = performance.now() + 5000;
    for (;;) {
      try {
        await balancer.command('show info');
        return balancer;
      } catch {
        if (child.exitCode !== null || performance.now() > deadline) {
          child.kill('SIGKILL');
          throw new Error(`haproxy did not start: ${stderr}`);
        }
        await sleep(50);
      }
    }
  }

  /** One runtime API command; resolves to its answer. */
  command(line: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const connection = createConnection(this.socket);
      let answer = '';
      connection.setEncoding('utf8');
      connection.on('connect', () => connection.end(`${line}\n`));
      connection.on('data', (chunk: string) => { answer += chunk; });
      connection.on('end', () => resolve(answer));
      connection.on('error', reject);
    });
  }

  /** Puts a ready replica into rotation (an endpoint becoming ready). */
  async add(replicaPort: number): Promise<void> {
    const slot = this.freeSlot();
    this.slotPorts.set(slot, replicaPort);
    await this.expectEmpty(`set server pods/pod${slot} addr 127.0.0.1 port ${replicaPort}`, /^(IP changed|no need to change|port changed|.*changed.*)/i);
    await this.expectEmpty(`set server pods/pod${slot} state ready`);
    await this.expectEmpty(`set server pods/pod${slot} health up`);
  }

  /** Stops new connections to a replica; existing ones stay (an endpoint removed while the pod drains). */
  async remove(replicaPort: number): Promise<void> {
    const slot = this.slotOf(replicaPort);
    await this.expectEmpty(`set server pods/pod${slot} state maint`);
    this.slotPorts.delete(slot);
  }

  /** Operational state of each used slot as HAProxy sees it ("2" = running, "0" = stopped/down). */
  async states(): Promise<Map<number, { operational: number; admin: number }>> {
    const text = await this.command('show servers state pods');
    const states = new Map<number, { operational: number; admin: number }>();
    for (const line of text.split('\n')) {
      const fields = line.trim().split(/\s+/);
      // be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state ... srv_port at index 18
      if (fields.length < 19 || !/^pod\d+$/.test(fields[3] ?? '')) continue;
      const port = Number(fields[18]);
      if ([...this.slotPorts.values()].includes(port)) states.set(port, { operational: Number(fields[5]), admin: Number(fields[6]) });
    }
    return states;
  }

  async stop(): Promise<void> {
    if (this.process.exitCode === null) {
      const exited = new Promise((resolve) => this.process.once('exit', resolve));
      this.process.kill('SIGTERM');
      await Promise.race([exited, sleep(3000)]);
      if (this.process.exitCode === null) this.process.kill('SIGKILL');
    }
    rmSync(this.directory, { recursive: true, force: true });
  }

  private freeSlot(): number {
    for (let slot = 1; slot <= this.slots; slot++) if (!this.slotPorts.has(slot)) return slot;
    throw new Error('no free HAProxy slot');
  }

  private slotOf(port: number): number {
    for (const [slot, p] of this.slotPorts) if (p === port) return slot;
    throw new Error(`replica on port ${port} is not in the balancer`);
  }

  private async expectEmpty(line: string, alsoFine?: RegExp): Promise<void> {
    const answer = (await this.command(line)).trim();
    if (answer !== '' && !(alsoFine?.test(answer) ?? false)) throw new Error(`haproxy "${line}": ${answer}`);
  }
}
