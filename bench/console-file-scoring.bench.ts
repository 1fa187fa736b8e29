/**
 * Scoring 100,000 customers from the console, end to end, in Debian's headless Chromium: the file is chosen,
 * read and parsed in the page, sent in chunks of MAX_BATCH_SIZE as CSV, and the results table, histogram and
 * summary drawn. The baseline, in the same run against the same server: the same chunks posted by Node's
 * fetch straight to /predict/batch (what a script would do), so the ratio is the console's own overhead.
 *
 *   node dist/bench/console-file-scoring.bench.js [--rows 100000] [--rounds 2]
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { bundledDataFile } from '../src/model/bundled-model.js';
import { startChildServer } from '../test/server/child-server.js';
import { reportBench } from './bench-report.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const CHUNK = 1000;
const CONCURRENCY = 2;

/** `rows` customers: the data file's rows over and over, each copy with its own customer ids. */
function bigCsv(rows: number): { header: string; lines: string[] } {
  const [header, ...data] = readFileSync(bundledDataFile, 'utf8').trimEnd().split('\n');
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const line = data[i % data.length]!;
    const copy = Math.floor(i / data.length);
    lines.push(copy === 0 ? line : line.replace(/^([^,]*)/, `$1-${copy}`));
  }
  return { header: header!, lines };
}

/** The baseline: the same CSV chunks, CONCURRENCY at a time, from Node straight to the API. */
async function apiSeconds(url: string, header: string, lines: readonly string[]): Promise<number> {
  const started = performance.now();
  const chunks: string[] = [];
  for (let i = 0; i < lines.length; i += CHUNK) chunks.push([header, ...lines.slice(i, i + CHUNK)].join('\n'));
  let scored = 0;
  const worker = async () => {
    for (let chunk = chunks.shift(); chunk !== undefined; chunk = chunks.shift()) {
      const response = await fetch(`${url}/predict/batch`, { method: 'POST', headers: { 'content-type': 'text/csv', accept: 'application/json' }, body: chunk });
      if (!response.ok) throw new Error(`the API answered ${response.status}`);
      scored += ((await response.json()) as { results: unknown[] }).results.length;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  if (scored !== lines.length) throw new Error(`the API scored ${scored} of ${lines.length}`);
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '2' } } });
  const rows = Number(values.rows);
  const rounds = Number(values.rounds);
  if (!existsSync(CHROMIUM)) {
    process.stdout.write(`console-file-scoring: skipped, ${CHROMIUM} is missing (apt-get install chromium)\n`);
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'console-bench-'));
  const { header, lines } = bigCsv(rows);
  const file = join(work, `customers-${rows}.csv`);
  writeFileSync(file, `${header}\n${lines.join('\n')}\n`);
  // The server as deployed, except no load shedding: the browser and the server share this machine's two cores.
  const server = await startChildServer({ MAX_EVENT_LOOP_DELAY_MS: '0' });
  const url = `http://127.0.0.1:${server.port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const consoleRuns: { endToEnd: number; scoring: number }[] = [];
    const apiRuns: number[] = [];
    await apiSeconds(url, header, lines.slice(0, 5000)); // warm-up: JIT and connections
    for (let round = 0; round < rounds; round++) {
      apiRuns.push(await apiSeconds(url, header, lines));
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`${url}/#/file`);
      const started = performance.now();
      await page.locator('#file-input').setInputFiles(file);
      await page.locator('[data-testid="histogram"] canvas').waitFor({ timeout: 600_000 });
      const endToEnd = (performance.now() - started) / 1000;
      const state = await page.getByTestId('progress-text').getAttribute('data-state');
      const scored = (await page.getByTestId('scored-count').textContent())?.replace(/,/g, '');
      if (state !== 'done' || Number(scored) !== rows) throw new Error(`the console ended ${state} with ${scored} rows scored`);
      const shown = (await page.getByTestId('progress-text').textContent()) ?? '';
      const scoring = Number(/in ([\d.]+) s/.exec(shown)?.[1]);
      consoleRuns.push({ endToEnd, scoring });
      await page.close();
    }
    const best = consoleRuns.reduce((a, b) => (b.endToEnd < a.endToEnd ? b : a));
    const api = Math.min(...apiRuns);
    reportBench({
      scenario: 'console-file-scoring',
      rows: [
        { metric: `console: ${rows} rows, file chosen to results drawn`, value: best.endToEnd, unit: 's', note: `${Math.round(rows / best.endToEnd)} rows/s; read, parse, ${CHUNK}-row chunks, table and histogram` },
        { metric: 'console: sending and scoring only', value: best.scoring, unit: 's', note: 'as the console reports it' },
        { metric: 'baseline: the same chunks from Node to /predict/batch', value: api, unit: 's', note: `${Math.round(rows / api)} rows/s; ${CONCURRENCY} in flight` },
        { metric: 'console / baseline', value: best.endToEnd / api, unit: 'x', note: 'the console\'s own overhead' },
      ],
      extra: { command: `node dist/bench/console-file-scoring.bench.js --rows ${rows} --rounds ${rounds}`, consoleRuns, apiRuns, browser: browser.version() },
    });
  } finally {
    await browser.close();
    server.kill();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
