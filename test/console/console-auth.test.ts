import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { browserSkipReason, consoleServer, launchBrowser, newPage, screenshot, type ConsoleServer } from './browser-harness.js';

const KEY = 'console-test-key-0123456789';

describe('the console behind API_KEYS', () => {
  let server: ConsoleServer;
  before(async () => { server = await consoleServer({ API_KEYS: KEY }); });
  after(async () => { await server?.close(); });

  it('serves its page and files without a key, with security headers, and its data calls only with one', async () => {
    for (const url of ['/', '/console/console.js', '/console/console.css', '/console/settings']) {
      const response = await server.app.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 200, url);
      const csp = String(response.headers['content-security-policy']);
      assert.match(csp, /script-src 'self'(;|$)/, `${url}: scripts only from the server`);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
    }
    const page = await server.app.inject({ method: 'GET', url: '/' });
    assert.doesNotMatch(page.body, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script in the page');
    for (const url of ['/console/sample-customer', '/console/importance']) {
      assert.equal((await server.app.inject({ method: 'GET', url })).statusCode, 401, url);
      assert.equal((await server.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${KEY}` } })).statusCode, 200, url);
    }
    const gzipped = await server.app.inject({ method: 'GET', url: '/console/console.js', headers: { 'accept-encoding': 'gzip, br' } });
    assert.equal(gzipped.headers['content-encoding'], 'gzip');
    const etag = String(gzipped.headers['etag']);
    assert.equal((await server.app.inject({ method: 'GET', url: '/console/console.js', headers: { 'if-none-match': etag } })).statusCode, 304);
  });

  describe('in the browser', { skip: browserSkipReason() }, () => {
    let browser: Browser;
    before(async () => { browser = await launchBrowser(); });
    after(async () => { await browser?.close(); });

    it('asks for the key, says clearly when it is wrong, and keeps a right one in session storage only', async () => {
      const { page, errors } = await newPage(browser);
      await page.goto(server.url);
      const input = page.getByLabel('API key', { exact: true });
      await input.waitFor();
      await input.fill('not-the-key-at-all');
      await page.getByRole('button', { name: 'Use this key' }).click();
      const message = page.getByTestId('key-error');
      await message.waitFor();
      assert.match((await message.textContent())!, /did not accept this key \(401 UNAUTHORIZED\)/);
      await screenshot(page, 'key-prompt-wrong-key');

      await input.fill(KEY);
      await page.getByRole('button', { name: 'Use this key' }).click();
      await page.getByRole('button', { name: 'Fill with a sample customer' }).click();
      await page.getByTestId('probability').waitFor();
      const storage = await page.evaluate('({ session: Object.assign({}, sessionStorage), local: Object.keys(localStorage).length, cookie: document.cookie })') as { session: Record<string, string>; local: number; cookie: string };
      assert.deepEqual(Object.values(storage.session), [KEY]);
      assert.equal(storage.local, 0);
      assert.equal(storage.cookie, '');

      // A new tab (a new session) asks again.
      const { page: other } = await newPage(browser);
      await other.goto(server.url);
      await other.getByLabel('API key', { exact: true }).waitFor();
      assert.deepEqual(errors, []);
    });

    it('asks again when the stored key stops working', async () => {
      const { page } = await newPage(browser);
      await page.goto(server.url);
      await page.evaluate(`sessionStorage.setItem('churn-console-api-key', 'revoked-key-0123456789')`);
      await page.reload();
      await page.getByRole('button', { name: 'Fill with a sample customer' }).click();
      await page.getByTestId('key-error').filter({ hasText: 'no longer accepts' }).waitFor();
    });
  });
});
