import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { consoleAssetsDirectory, loadConsoleAssets } from '../../src/server/console-assets.js';
import { bundledDataFile } from '../../src/model/bundled-model.js';
import { browserSkipReason, consoleServer, launchBrowser, newPage, screenshot, type ConsoleServer } from './browser-harness.js';

/** The budget for everything the console downloads, gzipped. */
const BUDGET_GZIP_BYTES = 250 * 1024;

describe('the console bundle', () => {
  it(`stays within ${BUDGET_GZIP_BYTES / 1024} KB gzipped in total, and fetches nothing from elsewhere`, () => {
    const assets = loadConsoleAssets();
    assert.deepEqual([...assets.keys()].sort(), ['console.css', 'console.js', 'index.html']);
    const total = [...assets.values()].reduce((sum, a) => sum + gzipSync(a.body, { level: 9 }).length, 0);
    assert.ok(total <= BUDGET_GZIP_BYTES, `${total} bytes gzipped`);
    const page = readFileSync(join(consoleAssetsDirectory, 'index.html'), 'utf8');
    for (const url of page.match(/(?:src|href)="[^"]+"/g) ?? []) assert.match(url, /"\/(console\/|docs)/, `only this server: ${url}`);
    assert.doesNotMatch(readFileSync(join(consoleAssetsDirectory, 'console.css'), 'utf8'), /@import|url\(http/);
  });
});

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }

/** axe-core over the page as it stands; the serious and critical findings. */
async function seriousFindings(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate('axe.run(document, { resultTypes: ["violations"] })') as { violations: AxeViolation[] };
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

describe('the console\'s accessibility', { skip: browserSkipReason() }, () => {
  let browser: Browser;
  let server: ConsoleServer;
  before(async () => { [browser, server] = await Promise.all([launchBrowser(), consoleServer()]); });
  after(async () => { await browser?.close(); await server?.close(); });

  for (const width of [1280, 800]) {
    it(`has no serious or critical axe-core findings on any page at ${width} px wide`, async () => {
      // axe is injected as an inline script: this context alone bypasses the console's CSP for it.
      const { page } = await newPage(browser, { viewport: { width, height: 900 }, bypassCSP: true });
      const findings: string[] = [];
      await page.goto(`${server.url}/#/customer`);
      await page.getByRole('button', { name: 'Fill with a sample customer' }).click();
      await page.getByTestId('waterfall').locator('canvas').waitFor();
      findings.push(...(await seriousFindings(page)).map((f) => `customer: ${f}`));
      await screenshot(page, `page-customer-${width}`);

      await page.goto(`${server.url}/#/file`);
      await page.locator('#file-input').setInputFiles(bundledDataFile);
      await page.getByTestId('histogram').locator('canvas').waitFor({ timeout: 60_000 });
      findings.push(...(await seriousFindings(page)).map((f) => `file: ${f}`));
      await screenshot(page, `page-file-${width}`);

      await page.goto(`${server.url}/#/model`);
      await page.getByTestId('importance').locator('canvas').waitFor();
      findings.push(...(await seriousFindings(page)).map((f) => `model: ${f}`));
      await screenshot(page, `page-model-${width}`);

      await page.goto(`${server.url}/?refresh-seconds=1#/glance`);
      await page.getByTestId('rps').filter({ hasNotText: '…' }).waitFor();
      findings.push(...(await seriousFindings(page)).map((f) => `glance: ${f}`));
      await screenshot(page, `page-glance-${width}`);
      assert.deepEqual(findings, []);
    });
  }

  it('shows live figures from /metrics on the at-a-glance page', async () => {
    const { page } = await newPage(browser);
    await page.goto(`${server.url}/?refresh-seconds=1#/glance`);
    await page.getByTestId('readiness').filter({ hasText: 'Ready' }).waitFor();
    // Traffic between two scrapes: the figures count it.
    const record = JSON.parse((await server.app.inject({ method: 'GET', url: '/console/sample-customer' })).body).record as Record<string, unknown>;
    const traffic = setInterval(() => { void fetch(`${server.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(record) }); }, 20);
    try {
      await page.getByTestId('rps').filter({ hasNotText: /^(…|0\.0)$/ }).waitFor({ timeout: 10_000 });
      await page.getByTestId('p99').filter({ hasText: /ms$/ }).waitFor({ timeout: 10_000 });
    } finally {
      clearInterval(traffic);
    }
    const rps = Number(await page.getByTestId('rps').textContent());
    assert.ok(rps > 5 && rps < 200, `about 50 requests per second were sent; the console shows ${rps}`);
  });
});
