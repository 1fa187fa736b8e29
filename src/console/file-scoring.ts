import Papa from 'papaparse';
import { ApiError, api, type BatchAnswer, type ConsoleSettings } from './api.js';

/** The most rows the console scores from one file (the figure; beyond it, use the API in a script). */
export const MAX_FILE_ROWS = 100_000;
/** Chunks in flight at once: one on the wire while the server scores the other. */
const CONCURRENCY = 2;
/** A chunk stays well under BODY_LIMIT_BYTES, whatever the rows' widths. */
const BODY_FILL = 0.8;
const MAX_RETRIES = 5;

/** A file being scored, then scored: rows in file order, with a probability or an error each. */
export interface ScoredFile {
  readonly name: string;
  readonly header: string[];
  readonly rows: string[][];
  /** NaN until a row is scored (and for rows with errors). */
  readonly probabilities: Float64Array;
  /** The decision at the threshold: 1 likely to churn, 0 not, 255 not scored. */
  readonly churn: Uint8Array;
  /** The error of each row the server (or the file's shape) refused, by row index. */
  readonly errors: Map<number, string>;
  /** The header's column of the customer id, or -1. */
  readonly idColumn: number;
  threshold: number;
  done: number;
  state: 'running' | 'done' | 'cancelled' | 'failed';
  failure?: string;
  seconds: number;
}

export const NOT_SCORED = 255;

/** A spreadsheet row number for people: the header is row 1, the first customer row 2. */
export const sheetRow = (index: number) => index + 2;

/** `/rows/7/tenure` → `tenure`; `/columns/Contract` → `Contract`. */
const fieldOf = (path: string) => path.split('/').slice(3).join('/') || path.split('/')[2] || '';

function errorText(details: readonly { path: string; message: string }[], fallback: string): string {
  if (details.length === 0) return fallback;
  return details.map((d) => d.message || `${fieldOf(d.path)} is invalid`).join('; ');
}

/** Reads the file's rows; refuses a file without rows or with more than MAX_FILE_ROWS. */
export function readCsv(text: string, name: string, idField: string): ScoredFile {
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: 'greedy' });
  const [header, ...rows] = parsed.data;
  if (header === undefined || rows.length === 0) throw new Error(`${name} has no data rows under a header row`);
  if (rows.length > MAX_FILE_ROWS) {
    throw new Error(`${name} has ${rows.length.toLocaleString('en-US')} rows; the console scores up to ${MAX_FILE_ROWS.toLocaleString('en-US')} at a time. Split the file, or send it to POST /predict/batch from a script.`);
  }
  const trimmed = header.map((h) => h.trim());
  const errors = new Map<number, string>();
  // A row with another number of cells than the header cannot be read as a record (the server would refuse
  // the whole chunk): it is listed here and not sent.
  rows.forEach((row, i) => {
    if (row.length !== trimmed.length) errors.set(i, `the row has ${row.length} cells; the header has ${trimmed.length}`);
  });
  return {
    name, header: trimmed, rows, probabilities: new Float64Array(rows.length).fill(Number.NaN), churn: new Uint8Array(rows.length).fill(NOT_SCORED),
    errors, idColumn: trimmed.indexOf(idField), threshold: Number.NaN, done: errors.size, state: 'running', seconds: 0,
  };
}

const wait = (ms: number, signal: AbortSignal) => new Promise<void>((resolve, reject) => {
  const timer = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(timer); reject(new DOMException('cancelled', 'AbortError')); }, { once: true });
});

/** Rows per chunk: MAX_BATCH_SIZE, or fewer when wide rows would pass BODY_LIMIT_BYTES. */
function chunkRows(file: ScoredFile, settings: ConsoleSettings): number {
  let bytes = 0;
  const probe = Math.min(file.rows.length, 500);
  for (let i = 0; i < probe; i++) bytes += file.rows[i]!.reduce((s, c) => s + c.length + 3, 0);
  const perRow = Math.max(1, bytes / Math.max(1, probe)) * 1.5;
  return Math.max(1, Math.min(settings.maxBatchSize, Math.floor((settings.bodyLimitBytes * BODY_FILL) / perRow)));
}

/**
 * Scores a file's rows in chunks of at most MAX_BATCH_SIZE, as CSV, so the server parses and validates them by
 * its own rules (blank = missing, the same field messages). Progress is reported after every chunk; the signal
 * cancels (rows scored so far stay). A missing column stops the run with the server's message; an overloaded
 * server is waited for (Retry-After); a chunk too large for the body limit is split.
 */
export async function scoreFile(file: ScoredFile, settings: ConsoleSettings, signal: AbortSignal, onProgress: () => void): Promise<void> {
  const started = performance.now();
  const size = chunkRows(file, settings);
  const valid: number[] = [];
  for (let i = 0; i < file.rows.length; i++) if (!file.errors.has(i)) valid.push(i);
  const queue: number[][] = [];
  for (let i = 0; i < valid.length; i += size) queue.push(valid.slice(i, i + size));

  const apply = (indices: readonly number[], answer: BatchAnswer) => {
    file.threshold = answer.threshold;
    answer.results.forEach((entry, k) => {
      const row = indices[k]!;
      if ('error' in entry) {
        file.errors.set(row, errorText(entry.error.details, entry.error.message));
      } else {
        file.probabilities[row] = entry.churnProbability;
        file.churn[row] = entry.churn ? 1 : 0;
      }
    });
    file.done += indices.length;
  };

  const send = async (indices: number[]): Promise<void> => {
    const csv = Papa.unparse([file.header, ...indices.map((i) => file.rows[i]!)], { newline: '\n' });
    for (let attempt = 0; ; attempt++) {
      try {
        apply(indices, await api.predictCsv(csv, signal));
        return;
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        if ((error.code === 'PAYLOAD_TOO_LARGE' || error.code === 'BATCH_TOO_LARGE') && indices.length > 1) {
          const half = Math.ceil(indices.length / 2);
          await send(indices.slice(0, half));
          await send(indices.slice(half));
          return;
        }
        if ((error.status === 503 || error.status === 429) && attempt < MAX_RETRIES) {
          await wait((error.retryAfterSeconds ?? 1) * 1000, signal);
          continue;
        }
        throw error;
      }
    }
  };

  const worker = async () => {
    for (let chunk = queue.shift(); chunk !== undefined; chunk = queue.shift()) {
      if (signal.aborted) return;
      await send(chunk);
      file.seconds = (performance.now() - started) / 1000;
      onProgress();
    }
  };

  try {
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
    file.state = signal.aborted ? 'cancelled' : 'done';
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') {
      file.state = 'cancelled';
    } else {
      file.state = 'failed';
      file.failure = error instanceof ApiError
        ? (error.code === 'INVALID_BODY' ? `The server refused the file: ${errorText(error.details, error.message)}.` : `${error.message} (${error.code}).`)
        : String(error);
      throw error;
    }
  } finally {
    file.seconds = (performance.now() - started) / 1000;
    onProgress();
  }
}

/** The histogram's counts: scored rows per bin of width 1/bins over [0, 1]. */
export function scoreCounts(file: ScoredFile, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (const p of file.probabilities) {
    if (!Number.isNaN(p)) counts[Math.min(bins - 1, Math.floor(p * bins))]!++;
  }
  return counts;
}
