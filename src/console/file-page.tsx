import { useMemo, useRef, useState } from 'preact/hooks';
import type { HistogramSpec } from '../reporting/chart-spec.js';
import { ApiError, type ConsoleSettings } from './api.js';
import { ChartFigure } from './chart-figure.js';
import { readCsv, scoreCounts, scoreFile, sheetRow, type ScoredFile } from './file-scoring.js';
import { count, percent, seconds } from './format.js';
import { ScoredTable } from './scored-table.js';
import { scoredCsv } from './scored-csv.js';

const HISTOGRAM_BINS = 20;
/** Bad rows listed on the page; all of them are in the download. */
const LISTED_ERRORS = 200;

function histogramOf(file: ScoredFile): HistogramSpec {
  return {
    kind: 'histogram', title: 'Churn probabilities of the scored customers', xLabel: 'churn probability', yLabel: 'customers',
    edges: Array.from({ length: HISTOGRAM_BINS + 1 }, (_, i) => i / HISTOGRAM_BINS),
    counts: scoreCounts(file, HISTOGRAM_BINS),
    ...(Number.isNaN(file.threshold) ? {} : { marker: { at: file.threshold, label: `threshold ${percent(file.threshold)}` } }),
  };
}

function Summary({ file }: { file: ScoredFile }) {
  let scored = 0;
  let churn = 0;
  for (const c of file.churn) {
    if (c === 1) churn++;
    if (c !== 255) scored++;
  }
  return (
    <dl class="figures" data-testid="file-summary">
      <div><dt>Customers scored</dt><dd data-testid="scored-count">{count(scored)}</dd></div>
      <div><dt>Likely to churn</dt><dd data-testid="churn-count">{count(churn)}{scored > 0 ? ` (${percent(churn / scored)})` : ''}</dd></div>
      <div><dt>Rows with errors</dt><dd data-testid="error-count">{count(file.errors.size)}</dd></div>
      <div><dt>Time</dt><dd>{seconds(file.seconds)}</dd></div>
    </dl>
  );
}

function BadRows({ file }: { file: ScoredFile }) {
  const rows = [...file.errors.entries()].sort((a, b) => a[0] - b[0]);
  if (rows.length === 0) return null;
  return (
    <section aria-labelledby="bad-rows-heading" class="bad-rows" data-testid="bad-rows">
      <h3 id="bad-rows-heading">Rows with errors ({count(rows.length)})</h3>
      <p class="hint">These rows were not scored. Fix them in the file and score it again; the download lists every one in its error column.</p>
      <div class="table-scroll">
        <table>
          <thead><tr><th scope="col">Row</th><th scope="col">Customer</th><th scope="col">What is wrong</th></tr></thead>
          <tbody>
            {rows.slice(0, LISTED_ERRORS).map(([i, message]) => (
              <tr data-row={i}><td>{sheetRow(i)}</td><td>{file.idColumn >= 0 ? file.rows[i]?.[file.idColumn] ?? '' : ''}</td><td>{message}</td></tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows.length > LISTED_ERRORS && <p>…and {count(rows.length - LISTED_ERRORS)} more (all are in the download).</p>}
    </section>
  );
}

export interface FilePageProps {
  settings: ConsoleSettings;
  onOpen: (record: Record<string, unknown>) => void;
  onUnauthorized: (error: ApiError) => void;
}

/** Score a CSV export: progress, cancel, bad rows, a histogram, the table and the scored file to download. */
export function FilePage({ settings, onOpen, onUnauthorized }: FilePageProps) {
  const [file, setFile] = useState<ScoredFile>();
  const [, setTick] = useState(0);
  const [problem, setProblem] = useState<string>();
  const [dragging, setDragging] = useState(false);
  const controller = useRef<AbortController | undefined>(undefined);
  const input = useRef<HTMLInputElement>(null);

  const start = async (chosen: File) => {
    controller.current?.abort();
    setProblem(undefined);
    setFile(undefined);
    let read: ScoredFile;
    try {
      read = readCsv(await chosen.text(), chosen.name, settings.schema.idField);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
      return;
    }
    const abort = new AbortController();
    controller.current = abort;
    setFile(read);
    try {
      await scoreFile(read, settings, abort.signal, () => setTick((t) => t + 1));
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) onUnauthorized(error);
    }
    setTick((t) => t + 1);
  };

  const download = () => {
    if (file === undefined) return;
    const url = URL.createObjectURL(new Blob([scoredCsv(file)], { type: 'text/csv;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `scored-${file.name.replace(/\.csv$/i, '')}.csv`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  };

  const open = (row: number) => {
    if (file === undefined) return;
    const cells = file.rows[row]!;
    onOpen(Object.fromEntries(file.header.map((name, c) => [name, cells[c] ?? ''])));
  };

  const finished = file !== undefined && file.state !== 'running';
  const histogram = useMemo(() => (finished ? histogramOf(file) : undefined), [file, finished]);
  const total = file?.rows.length ?? 0;

  return (
    <div class="file-page">
      <section class="panel" aria-labelledby="upload-heading">
        <h2 id="upload-heading">Choose a file</h2>
        <p class="hint">
          A CSV export with a header row, in the columns of the model ({settings.schema.features.length} features{settings.schema.idField === '' ? '' : `, plus ${settings.schema.idField}`}),
          up to 100,000 rows. It is sent in chunks of {count(settings.maxBatchSize)} rows; nothing is kept on the server.
        </p>
        <div class={`drop-zone${dragging ? ' dragging' : ''}`}
          onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => { e.preventDefault(); setDragging(false); const f = e.dataTransfer?.files[0]; if (f !== undefined) void start(f); }}>
          <label for="file-input">Choose a CSV file</label>
          <input id="file-input" ref={input} type="file" accept=".csv,text/csv" onChange={(e) => { const f = (e.currentTarget as HTMLInputElement).files?.[0]; if (f !== undefined) void start(f); }} />
          <p class="hint">or drop it here</p>
        </div>
        {problem !== undefined && <p class="form-error" role="alert">{problem}</p>}
      </section>

      {file !== undefined && (
        <section class="panel" aria-labelledby="progress-heading">
          <h2 id="progress-heading">{file.name}</h2>
          <div class="progress-row">
            <progress max={total} value={file.done} aria-labelledby="progress-text" data-testid="progress" />
            {file.state === 'running' && <button type="button" class="secondary" onClick={() => controller.current?.abort()}>Cancel</button>}
          </div>
          <p id="progress-text" role="status" data-testid="progress-text" data-state={file.state}>
            {file.state === 'running' && `${count(file.done)} of ${count(total)} rows (${percent(file.done / total)})`}
            {file.state === 'done' && `Done: ${count(total)} rows in ${seconds(file.seconds)}.`}
            {file.state === 'cancelled' && `Cancelled after ${count(file.done)} of ${count(total)} rows; the results so far are below.`}
            {file.state === 'failed' && `Stopped after ${count(file.done)} of ${count(total)} rows.`}
          </p>
          {file.failure !== undefined && <p class="form-error" role="alert" data-testid="file-failure">{file.failure}</p>}
          {finished && (
            <>
              <Summary file={file} />
              <button type="button" onClick={download} data-testid="download">Download the scored file (CSV)</button>
            </>
          )}
        </section>
      )}

      {finished && histogram !== undefined && (
        <section class="panel" aria-labelledby="results-heading">
          <h2 id="results-heading">Results</h2>
          <ChartFigure spec={histogram} testId="histogram" />
          <ScoredTable file={file} onOpen={open} />
          <BadRows file={file} />
        </section>
      )}
    </div>
  );
}
