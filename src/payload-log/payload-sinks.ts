import { open, type FileHandle } from 'node:fs/promises';
import { binaryMessage, inferenceEvents } from './cloud-events.js';
import { redacted, type PayloadEntry, type Redaction } from './payload-entry.js';

/** Where batches of entries go. A rejected write counts its entries as failed; nothing is retried. */
export interface PayloadSink {
  write(entries: readonly PayloadEntry[]): Promise<void>;
  close(): Promise<void>;
}

export type SinkTarget = { kind: 'stdout' } | { kind: 'file'; path: string } | { kind: 'http'; url: string };
export type CloudEventsMode = 'binary' | 'structured' | 'batch';

/** One JSON line per entry, fields redacted. */
function jsonLines(entries: readonly PayloadEntry[], redaction: Redaction): string {
  return entries.map((e) => `${JSON.stringify({ ...e, request: redacted(e.request, redaction), response: redacted(e.response, redaction) })}\n`).join('');
}

class StdoutSink implements PayloadSink {
  constructor(private readonly redaction: Redaction) {}

  write(entries: readonly PayloadEntry[]): Promise<void> {
    return new Promise((resolve, reject) => process.stdout.write(jsonLines(entries, this.redaction), (error) => (error ? reject(error) : resolve())));
  }

  async close(): Promise<void> {}
}

class FileSink implements PayloadSink {
  private handle: Promise<FileHandle> | undefined;

  constructor(private readonly path: string, private readonly redaction: Redaction) {}

  async write(entries: readonly PayloadEntry[]): Promise<void> {
    this.handle ??= open(this.path, 'a');
    await (await this.handle).appendFile(jsonLines(entries, this.redaction));
  }

  async close(): Promise<void> {
    await (await this.handle)?.close();
  }
}

// Binary and structured modes send one event per POST: a few at a time, so one slow receiver is not flooded.
const CONCURRENT_POSTS = 8;
const POST_TIMEOUT_MS = 10_000;

class CloudEventsSink implements PayloadSink {
  constructor(private readonly url: string, private readonly mode: CloudEventsMode, private readonly redaction: Redaction) {}

  async write(entries: readonly PayloadEntry[]): Promise<void> {
    const events = entries.flatMap((e) => inferenceEvents(e, redacted(e.request, this.redaction), redacted(e.response, this.redaction)));
    if (this.mode === 'batch') {
      await this.post({ 'content-type': 'application/cloudevents-batch+json' }, JSON.stringify(events));
      return;
    }
    const messages = events.map((event) => (this.mode === 'binary'
      ? binaryMessage(event)
      : { headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(event) }));
    let next = 0;
    const failures: unknown[] = [];
    const worker = async () => {
      while (next < messages.length) {
        const message = messages[next++]!;
        await this.post(message.headers, message.body).catch((error: unknown) => { failures.push(error); });
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENT_POSTS, messages.length) }, worker));
    if (failures.length > 0) throw failures[0];
  }

  private async post(headers: Record<string, string>, body: string): Promise<void> {
    const response = await fetch(this.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(POST_TIMEOUT_MS) });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`${this.url} answered ${response.status}`);
  }

  async close(): Promise<void> {}
}

export function payloadSink(target: SinkTarget, mode: CloudEventsMode, redaction: Redaction): PayloadSink {
  if (target.kind === 'stdout') return new StdoutSink(redaction);
  if (target.kind === 'file') return new FileSink(target.path, redaction);
  return new CloudEventsSink(target.url, mode, redaction);
}
