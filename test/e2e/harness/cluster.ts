import { setTimeout as sleep } from 'node:timers/promises';
import type { TestContext } from 'node:test';
import { HaproxyBalancer, haproxyAvailable } from './haproxy-balancer.js';
import { Replica } from './replica.js';

/** What Kubernetes does around the pods, with the timings of docs/kubernetes.md scaled to a test. */
export const clusterTimings = {
  /** Endpoint removal reaches the load balancer this long after the pod is told to terminate. */
  endpointPropagationMs: 1000,
  /** Readiness checks of the balancer (a readiness probe's period). */
  checkIntervalMs: 1000,
};

/**
 * Replicas behind HAProxy. `scaleUp` waits for readiness before adding an endpoint; `terminate` sends
 * SIGTERM and removes the endpoint after the propagation delay, as the endpoints controller and kube-proxy do.
 */
export class Cluster {
  readonly replicas: Replica[] = [];

  private constructor(readonly balancer: HaproxyBalancer, private readonly env: Record<string, string>) {}

  static async start(replicas: number, env: Record<string, string> = {}): Promise<Cluster> {
    const balancer = await HaproxyBalancer.start({ checkIntervalMs: clusterTimings.checkIntervalMs });
    const cluster = new Cluster(balancer, env);
    await Promise.all(Array.from({ length: replicas }, () => cluster.scaleUp()));
    return cluster;
  }

  get url(): string {
    return this.balancer.url;
  }

  async scaleUp(env: Record<string, string> = {}): Promise<Replica> {
    const replica = await Replica.start({ ...this.env, ...env });
    this.replicas.push(replica);
    await replica.waitReady();
    await this.balancer.add(replica.port);
    return replica;
  }

  /** Graceful termination of one pod; resolves to its exit code once it is gone. */
  async terminate(replica: Replica): Promise<number | null | 'timeout'> {
    replica.signal('SIGTERM');
    await sleep(clusterTimings.endpointPropagationMs);
    await this.balancer.remove(replica.port);
    const code = await replica.exited(30_000);
    this.replicas.splice(this.replicas.indexOf(replica), 1);
    return code;
  }

  async stop(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.stop()));
    await this.balancer.stop();
  }
}

/**
 * Skips an e2e test loudly when haproxy is missing; with E2E_REQUIRED=1 (set by .ci/run) that is a failure.
 * Returns true when the test may run.
 */
export function requireHaproxy(t: TestContext): boolean {
  if (haproxyAvailable()) return true;
  const message = 'haproxy is not installed: install the Debian package "haproxy" (apt-get install -y haproxy) to run the end-to-end tests';
  if (process.env['E2E_REQUIRED'] === '1') throw new Error(message);
  process.stderr.write(`\n!!! SKIPPED: ${message}\n\n`);
  t.skip(message);
  return false;
}
