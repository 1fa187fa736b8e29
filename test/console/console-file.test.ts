import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { bundledDataFile } from '../../src/model/bundled-model.js';
import { browserSkipReason, consoleServer, launchBrowser, newPage, screenshot, type ConsoleServer } from './browser-harness.js';

const skip = browserSkipReason();

interface BatchEntry { customerID?: string; churnProbability?: number; churn?: boolean; error?: { details: { path: string; message: string }[] } }

/** The data file's header and its first `rows` lines, as text. */
function dataLines(rows: number): { header: string; lines: string[] } {
  const [header, ...lines] = readFileSync(bundledDataFile, 'utf8').trimEnd().split('\n');
  return { header: header!, lines: lines.slice(0, rows) };
}

/** POST /predict/batch over the same CSV in chunks the server accepts: what the download must agree with. */
async function apiResults(server: ConsoleServer, header: string, lines: readonly string[]): Promise<BatchEntry[]> {
  const results: BatchEntry[] = [];
  for (let i = 0; i < lines.length; i += 1000) {
    const response = await server.app.inject({
      method: 'POST', url: '/predict/batch', headers: { 'content-type': 'text/csv' }, payload: [header, ...lines.slice(i, i + 1000)].join('\n'),
    });
    assert.equal(response.statusCode, 200);
    results.push(...response.json<{ results: BatchEntry[] }>().results);
  }
  return results;
}

async function upload(page: Page, url: string, file: string): Promise<void> {
  await page.goto(`${url}/#/file`);
  await page.locator('#file-input').setInputFiles(file);
  await page.locator('[data-testid="progress-text"]:not([data-state="running"])').waitFor({ timeout: 120_000 });
}

async function download(page: Page): Promise<string[][]> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
  return parse(readFileSync((await file.path())!, 'utf8')) as string[][];
}

describe('the console scores a file', { skip }, () => {
  let browser: Browser;
  let server: ConsoleServer;
  let work: string;
  before(async () => {
    [browser, server] = await Promise.all([launchBrowser(), consoleServer()]);
    work = mkdtempSync(join(tmpdir(), 'console-file-'));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('scores 5,000 rows in chunks, and the download agrees row by row with POST /predict/batch', async () => {
    const { header, lines } = dataLines(5000);
    const file = join(work, 'customers-5000.csv');
    writeFileSync(file, `${header}\n${lines.join('\n')}\n`);
    const { page, errors } = await newPage(browser);
    await upload(page, server.url, file);
    assert.equal(await page.getByTestId('progress-text').getAttribute('data-state'), 'done');
    assert.equal(await page.getByTestId('scored-count').textContent(), '5,000');
    assert.equal(await page.getByTestId('progress').getAttribute('value'), '5000');
    await page.getByTestId('histogram').locator('canvas').waitFor();
    await screenshot(page, 'file-scored');

    const rows = await download(page);
    const expected = await apiResults(server, header, lines);
    const columns = rows[0]!;
    assert.deepEqual(columns.slice(-3), ['churnProbability', 'churn', 'error']);
    assert.equal(rows.length - 1, expected.length);
    const [p, churn, error, id] = ['churnProbability', 'churn', 'error', 'customerID'].map((c) => columns.indexOf(c)) as [number, number, number, number];
    expected.forEach((answer, i) => {
      const row = rows[i + 1]!;
      assert.equal(row[id], answer.customerID, `row ${i}: id`);
      assert.equal(Number(row[p]), answer.churnProbability, `row ${i}: probability`);
      assert.equal(row[churn], String(answer.churn), `row ${i}: decision`);
      assert.equal(row[error], '', `row ${i}: error`);
    });

    // The table: highest risk first.
    const shown = await page.getByTestId('scored-table').locator('tbody tr td:nth-child(3)').allTextContents();
    const values = shown.map((t) => Number(t.replace('%', '')));
    assert.deepEqual(values, [...values].sort((a, b) => b - a));
    const top = Math.max(...expected.map((r) => r.churnProbability ?? 0));
    assert.equal(values[0], Number((top * 100).toFixed(1)));
    assert.deepEqual(errors, []);
  });

  it('lists bad rows with their messages, scores the others, and neutralises formula cells in the download', async () => {
    const { header, lines } = dataLines(20);
    const columns = header.split(',');
    const edit = (line: string, column: string, value: string) => {
      const cells = line.split(',');
      cells[columns.indexOf(column)] = value;
      return cells.join(',');
    };
    const bad = [...lines];
    bad[2] = edit(bad[2]!, 'tenure', '-3');
    bad[5] = edit(bad[5]!, 'Contract', 'Lifetime');
    bad[7] = bad[7]!.split(',').slice(0, -2).join(',');
    bad[9] = edit(bad[9]!, 'customerID', '=HYPERLINK("http://example.invalid")');
    const file = join(work, 'bad-rows.csv');
    writeFileSync(file, `${header}\n${bad.join('\n')}\n`);
    const { page } = await newPage(browser);
    await upload(page, server.url, file);
    assert.equal(await page.getByTestId('error-count').textContent(), '3');
    assert.equal(await page.getByTestId('scored-count').textContent(), '17');
    const listed = page.getByTestId('bad-rows');
    const messageOf = async (index: number) => (await listed.locator(`tr[data-row="${index}"] td`).nth(2).textContent())!;
    const expected = await apiResults(server, header, [bad[2]!, bad[5]!]);
    assert.equal(await messageOf(2), expected[0]!.error!.details[0]!.message);
    assert.equal(await messageOf(5), expected[1]!.error!.details[0]!.message);
    assert.match(await messageOf(7), /the row has 19 cells; the header has 21/);
    await screenshot(page, 'file-bad-rows');

    const rows = await download(page);
    const id = rows[0]!.indexOf('customerID');
    assert.equal(rows[10]![id], `'=HYPERLINK("http://example.invalid")`, 'a formula is neutralised as the API does');
    assert.notEqual(rows[3]![rows[0]!.indexOf('error')], '');
  });

  it('can be cancelled midway, keeping the rows scored so far', async () => {
    const { header, lines } = dataLines(5000);
    const file = join(work, 'to-cancel.csv');
    writeFileSync(file, `${header}\n${lines.join('\n')}\n`);
    const { page } = await newPage(browser);
    // Each chunk's answer is held back a moment, so there is a midway to cancel in.
    await page.route('**/predict/batch', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      await route.continue();
    });
    await page.goto(`${server.url}/#/file`);
    await page.locator('#file-input').setInputFiles(file);
    await page.getByTestId('progress-text').filter({ hasText: /^[1-9][\d,]* of 5,000 rows/ }).waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('[data-testid="progress-text"][data-state="cancelled"]').waitFor();
    const scored = Number((await page.getByTestId('scored-count').textContent())!.replace(/,/g, ''));
    assert.ok(scored > 0 && scored < 5000, `${scored} rows scored before the cancel`);
    assert.equal(await page.getByRole('button', { name: 'Cancel' }).count(), 0);
    const rows = await download(page);
    assert.equal(rows.filter((row, i) => i > 0 && row[row.length - 3] !== '').length, scored, 'the download has the rows scored so far');
  });

  it('stops with the server\'s message when the file lacks a required column', async () => {
    const { header, lines } = dataLines(10);
    const drop = header.split(',').indexOf('Contract');
    const without = (line: string) => line.split(',').filter((_, i) => i !== drop).join(',');
    const file = join(work, 'no-contract.csv');
    writeFileSync(file, `${without(header)}\n${lines.map(without).join('\n')}\n`);
    const { page } = await newPage(browser);
    await upload(page, server.url, file);
    assert.equal(await page.getByTestId('progress-text').getAttribute('data-state'), 'failed');
    assert.match((await page.getByTestId('file-failure').textContent())!, /Contract/);
  });
});
