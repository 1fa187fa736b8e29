import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { driftFixture, shifted } from '../monitoring/drift-fixtures.js';
import { browserSkipReason, consoleServer, launchBrowser, newPage, screenshot, type ConsoleServer } from './browser-harness.js';

const { heldOut } = driftFixture();

describe('the console\'s model page shows drift since training', { skip: browserSkipReason() }, () => {
  let browser: Browser;
  let server: ConsoleServer;
  let off: ConsoleServer;
  before(async () => {
    [browser, server, off] = await Promise.all([launchBrowser(), consoleServer({ DRIFT_WINDOW: '1000' }), consoleServer({ DRIFT_WINDOW: 'off' })]);
  });
  after(async () => { await browser?.close(); await server?.close(); await off?.close(); });

  it('a shifted feature stands out: the chart and the table name it, and only it, as a significant shift', async () => {
    const records = shifted(heldOut.slice(0, 1000), { Contract: 'Month-to-month' });
    const answer = await server.app.inject({ method: 'POST', url: '/predict/batch', payload: { records } });
    assert.equal(answer.statusCode, 200);
    const { page, errors } = await newPage(browser);
    await page.goto(`${server.url}/#/model`);
    await page.getByTestId('drift').locator('canvas').waitFor();
    const table = page.getByTestId('drift-table');
    await table.waitFor();
    assert.equal(await table.locator('tr[data-feature="Contract"] td').nth(1).textContent(), 'significant');
    const shifts = await table.locator('tbody tr').evaluateAll((rows) => rows.map((row) => [row.getAttribute('data-feature'), row.querySelectorAll('td')[1]?.textContent]));
    assert.deepEqual(shifts.filter(([, words]) => words !== 'none').map(([name]) => name), ['Contract']);
    await page.getByText('1,000 records scored over the last 1,000 records').waitFor();
    await screenshot(page, 'model-drift');
    assert.deepEqual(errors, []);
  });

  it('Refresh reads the window again', async () => {
    const { page } = await newPage(browser);
    await page.goto(`${server.url}/#/model`);
    await page.getByTestId('drift-table').waitFor();
    await server.app.inject({ method: 'POST', url: '/predict/batch', payload: { records: heldOut.slice(0, 1000) } });
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.locator('tr[data-feature="Contract"] td').nth(1).filter({ hasText: 'none' }).waitFor();
  });

  it('says why there are no figures when drift monitoring is off', async () => {
    const { page } = await newPage(browser);
    await page.goto(`${off.url}/#/model`);
    await page.getByTestId('drift-unavailable').filter({ hasText: 'DRIFT_WINDOW=off' }).waitFor();
  });
});
