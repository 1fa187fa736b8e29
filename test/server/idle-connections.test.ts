import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { closeIdleConnectionsAfter } from '../../src/server/idle-connections.js';
import { testApp } from './app-harness.js';

/** A keep-alive client on one raw socket: sends requests, and notes when each answer arrived and when the server closed. */
class RawClient {
  readonly socket: Socket;
  /** Answers seen so far (one `data` burst ending a response each). */
  answers: string[] = [];
  lastAnswerAt = 0;
  closedAt: number | undefined;
  readonly closed: Promise<void>;
  private text = '';

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.setEncoding('utf8');
    this.socket.on('data', (chunk: string) => {
      this.text += chunk;
      // Every answer here is a small one with a body ending in "done".
      if (this.text.endsWith('done')) {
        this.answers.push(this.text);
        this.text = '';
        this.lastAnswerAt = performance.now();
      }
    });
    this.socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => this.socket.on('close', () => { this.closedAt = performance.now(); resolve(); }));
  }

  /** Sends a GET and waits for its answer. */
  async ask(path: string): Promise<string> {
    const before = this.answers.length;
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: test\r\nConnection: keep-alive\r\n\r\n`);
    while (this.answers.length === before) {
      if (this.closedAt !== undefined) throw new Error('closed before the answer');
      await sleep(5);
    }
    return this.answers[before]!;
  }
}

/** A node:http server, keepAliveTimeout 0 as the front door sets it, whose idle connections close after `idleMs`. */
async function sweptServer(idleMs: number, handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  server.keepAliveTimeout = 0;
  closeIdleConnectionsAfter(server, idleMs);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

const answer = (response: ServerResponse): void => { response.end('done'); };

/** Scheduling on a loaded CI machine: how much later than its deadline a close may be seen. */
const SLACK_MS = 600;

describe('idle keep-alive connections are closed by a sweep (real sockets)', { timeout: 30_000 }, () => {
  test('an idle connection closes no sooner than the timeout after its last answer, and within two sweeps of it', async () => {
    const idleMs = 400;
    const { server, port } = await sweptServer(idleMs, (_request, response) => answer(response));
    try {
      const client = new RawClient(port);
      await client.ask('/one');
      await client.ask('/two');
      await client.closed;
      const idle = client.closedAt! - client.lastAnswerAt;
      assert.ok(idle >= idleMs - 20, `closed ${idle.toFixed(0)} ms after its last answer, before the ${idleMs} ms timeout`);
      assert.ok(idle <= idleMs + 2 * (idleMs / 4) + SLACK_MS, `closed only ${idle.toFixed(0)} ms after its last answer`);
    } finally {
      server.close();
    }
  });

  test('a connection used more often than the timeout stays open', async () => {
    const idleMs = 300;
    const { server, port } = await sweptServer(idleMs, (_request, response) => answer(response));
    try {
      const client = new RawClient(port);
      for (let i = 0; i < 8; i++) {
        await client.ask(`/${i}`);
        await sleep(idleMs / 3);
      }
      assert.equal(client.closedAt, undefined, 'closed while in use');
      assert.equal(client.answers.length, 8);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  test('a request whose answer takes longer than the timeout keeps its connection, which closes only after it went idle', async () => {
    const idleMs = 300;
    const holdMs = 3 * idleMs;
    const { server, port } = await sweptServer(idleMs, (request, response) => {
      // Nothing moves on the connection while the answer is held back.
      if (request.url === '/slow') setTimeout(() => answer(response), holdMs);
      else answer(response);
    });
    try {
      const client = new RawClient(port);
      const asked = performance.now();
      await client.ask('/slow');
      assert.ok(client.lastAnswerAt - asked >= holdMs - 20, 'the slow answer arrived');
      await client.closed;
      assert.ok(client.closedAt! - client.lastAnswerAt >= idleMs - 20, 'the idle count began after the answer was done');
    } finally {
      server.close();
    }
  });

  test('a request that trickles in slower than the timeout, headers and all, keeps its connection', async () => {
    const idleMs = 300;
    const { server, port } = await sweptServer(idleMs, (_request, response) => answer(response));
    try {
      const client = new RawClient(port);
      // No response exists until the headers are complete: only the bytes arriving show the connection in use.
      const request = 'GET /slowly HTTP/1.1\r\nHost: test\r\n\r\n';
      for (let at = 0; at < request.length; at += 8) {
        client.socket.write(request.slice(at, at + 8));
        await sleep(idleMs / 3);
      }
      while (client.answers.length === 0 && client.closedAt === undefined) await sleep(5);
      assert.equal(client.answers.length, 1, 'answered, not cut');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  test('the app closes idle connections after KEEP_ALIVE_TIMEOUT_SECONDS, with no timer of Node\'s own and no Keep-Alive hint', async () => {
    const { app } = await testApp({ KEEP_ALIVE_TIMEOUT_SECONDS: '1' });
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      assert.equal(app.server.keepAliveTimeout, 0, 'Node arms no keep-alive timer per response');
      const port = (app.server.address() as { port: number }).port;
      const client = new RawClient(port);
      client.socket.write('GET /livez HTTP/1.1\r\nHost: test\r\n\r\n');
      // /livez answers JSON, not "done": wait for the connection to carry its answer, then for the close.
      const started = performance.now();
      let text = '';
      client.socket.on('data', (chunk: string) => { text += chunk; });
      while (!/\r\n\r\n[^]*\}/.test(text)) await sleep(5);
      const answeredAt = performance.now();
      assert.match(text, /^HTTP\/1\.1 200 /);
      assert.match(text, /\r\nconnection: keep-alive\r\n/i);
      assert.doesNotMatch(text, /\r\nkeep-alive:/i);
      await client.closed;
      const idle = client.closedAt! - answeredAt;
      assert.ok(idle >= 1000 - 20, `closed ${idle.toFixed(0)} ms after the answer`);
      assert.ok(client.closedAt! - started <= 1000 + 2 * 250 + SLACK_MS, 'closed within two sweeps of the timeout');
    } finally {
      await app.close();
    }
  });
});
