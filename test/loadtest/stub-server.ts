import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the stub answers one prediction request: a status after an optional delay, never, or by resetting the connection. */
export type StubAnswer = { status: number; delayMs?: number; close?: boolean } | 'hang' | 'reset';

export interface StubServer {
  readonly url: string;
  /** Prediction requests received so far (POST /predict and /predict/batch). */
  readonly received: number;
  /** Their bodies, in the order received. */
  readonly bodies: readonly string[];
  /** Distinct TCP connections that carried prediction requests (GET /model comes on another). */
  readonly connections: number;
  close(): Promise<void>;
}

/**
 * A small in-process node:http stand-in for the model server, on 127.0.0.1 and port 0: answers GET /model,
 * GET /metrics (this process's CPU and RSS in the prom-client names) and predictions as `answer` decides.
 */
export async function startStubServer(answer: (n: number, request: IncomingMessage) => StubAnswer = () => ({ status: 200 })): Promise<StubServer> {
  let received = 0;
  let connections = 0;
  const predictionSockets = new WeakSet<object>();
  const bodies: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      if (request.method === 'GET' && request.url === '/model') {
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"name":"stub","version":"0.0.1"}');
        return;
      }
      if (request.method === 'GET' && request.url === '/metrics') {
        const cpu = process.cpuUsage();
        response.writeHead(200, { 'content-type': 'text/plain' }).end([
          '# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.',
          '# TYPE process_cpu_seconds_total counter',
          `process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`,
          `process_resident_memory_bytes ${process.memoryUsage.rss()}`,
          '',
        ].join('\n'));
        return;
      }
      if (request.method !== 'POST' || !request.url?.startsWith('/predict')) {
        response.writeHead(404).end();
        return;
      }
      bodies.push(Buffer.concat(chunks).toString());
      if (!predictionSockets.has(request.socket)) {
        predictionSockets.add(request.socket);
        connections++;
      }
      const a = answer(received++, request);
      if (a === 'hang') return;
      if (a === 'reset') {
        request.socket.destroy();
        return;
      }
      const send = () => response.writeHead(a.status, { 'content-type': 'application/json', ...(a.close ? { connection: 'close' } : {}) })
        .end('{"churnProbability":0.5,"churn":false}');
      if (a.delayMs === undefined) send();
      else {
        const timer = setTimeout(() => { timers.delete(timer); send(); }, a.delayMs);
        timers.add(timer);
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get received() { return received; },
    bodies,
    get connections() { return connections; },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
