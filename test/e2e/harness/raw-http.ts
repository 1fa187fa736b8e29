import { connect } from 'node:net';

export interface RawOutcome {
  /** Status code of the first response, or undefined when the server closed without one. */
  status: number | undefined;
  closed: boolean;
}

/**
 * Sends bytes exactly as given (no HTTP client to tidy them up) and reads the first status line.
 * `stallMs` keeps the socket open after writing, for slow-client cases.
 */
export function sendRaw(port: number, chunks: (string | Buffer)[], options: { gapMs?: number; timeoutMs?: number } = {}): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(answer);
      resolve({ status: match ? Number(match[1]) : undefined, closed });
    };
    const timer = setTimeout(() => finish(false), options.timeoutMs ?? 15_000);
    socket.on('data', (data: Buffer) => {
      answer += data.toString('latin1');
      if (/\r\n\r\n/.test(answer)) finish(false);
    });
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        socket.write(chunk);
        if (options.gapMs) await new Promise((r) => setTimeout(r, options.gapMs));
      }
    });
  });
}
