import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

/** Node's own record, on a socket, of the response being written on it (its closeIdleConnections reads it too). */
type HttpSocket = Socket & { _httpMessage?: ServerResponse | null };

/** The longest time between two sweeps: how late past the timeout an idle connection may close, twice over. */
const MAX_SWEEP_MS = 1000;
/** What a sweep notes for a connection whose response is still being written. */
const BUSY = -1;

interface Seen {
  /** Bytes moved either way at the sweep that last saw a change (BUSY while a response was being written). */
  moved: number;
  /** When that sweep ran. */
  at: number;
}

/**
 * Closes keep-alive connections that stay idle for `idleMs`, as Node's `server.keepAliveTimeout` does, with one
 * sweep over the open connections every min(1 s, idleMs / 4) instead of a timer per connection. Node arms a
 * socket timer whenever a response finishes, refreshes it on every read and clears it when the next request
 * arrives: on a connection carrying thousands of requests a second those timers cost /predict 2-6 % of its
 * throughput (docs/server.md, Performance: Keep-alive without a timer per request). The server it is given must
 * have keepAliveTimeout 0, so Node arms none (and answers carry no `Keep-Alive: timeout` hint, as nginx sends
 * none by default).
 *
 * A connection is idle while no response is being written on it and no byte moves either way. The sweep that
 * first sees it idle after its last byte (or after its response was done) starts the count, so a connection
 * closes at least idleMs after it went quiet, and at most two sweeps later.
 */
export function closeIdleConnectionsAfter(server: Server, idleMs: number): void {
  const open = new Map<HttpSocket, Seen>();
  const everyMs = Math.min(MAX_SWEEP_MS, idleMs / 4);
  let timer: NodeJS.Timeout | undefined;

  server.on('connection', (socket: HttpSocket) => {
    open.set(socket, { moved: 0, at: performance.now() });
    socket.once('close', () => open.delete(socket));
  });

  const sweep = (): void => {
    const now = performance.now();
    for (const [socket, seen] of open) {
      const response = socket._httpMessage;
      const moved = response != null && !response.writableFinished ? BUSY : socket.bytesRead + socket.bytesWritten;
      if (moved !== seen.moved) {
        seen.moved = moved;
        seen.at = now;
      } else if (moved !== BUSY && now - seen.at >= idleMs) {
        socket.destroy();
      }
    }
  };

  server.on('listening', () => { timer ??= setInterval(sweep, everyMs).unref(); });
  server.on('close', () => {
    clearInterval(timer);
    timer = undefined;
  });
}
