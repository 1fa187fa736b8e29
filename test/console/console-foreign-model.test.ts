import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { packageRoot } from '../../src/foundation/package-files.js';
import { openModel } from '../../src/runtimes/open-model.js';
import { browserSkipReason, consoleServer, launchBrowser, newPage, screenshot, type ConsoleServer } from './browser-harness.js';

/** An XGBoost binary classifier trained by XGBoost itself, with its own six inputs and no schema of ranges. */
const modelFile = join(packageRoot, 'test', 'fixtures', 'xgboost', 'binary-logistic.model.json');

describe('the console over a foreign model (XGBoost JSON)', { skip: browserSkipReason() }, () => {
  let browser: Browser;
  let server: ConsoleServer;
  before(async () => { [browser, server] = await Promise.all([launchBrowser(), consoleServer({}, await openModel(modelFile))]); });
  after(async () => { await browser?.close(); await server?.close(); });

  it('builds its form from the model\'s inputs and scores with explanations', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto(server.url);
    for (const name of ['tenure', 'monthly_charges', 'total_charges', 'support_calls', 'contract_months', 'age']) {
      await page.getByLabel(name, { exact: true }).waitFor();
    }
    await page.getByLabel('tenure', { exact: true }).fill('3');
    await page.getByLabel('monthly_charges', { exact: true }).fill('90');
    await page.getByRole('button', { name: 'Score this customer' }).click();
    await page.getByTestId('waterfall').locator('canvas').waitFor();
    const shown = (await page.getByTestId('probability').textContent())!;
    const answer = await server.app.inject({ method: 'POST', url: '/predict', payload: { tenure: 3, monthly_charges: 90, total_charges: null, support_calls: null, contract_months: null, age: null } });
    assert.equal(shown, `${(answer.json<{ churnProbability: number }>().churnProbability * 100).toFixed(1)}%`);
    await screenshot(page, 'foreign-model-customer');
    assert.deepEqual(errors, []);
  });

  it('shows the model card, and says why there is no global importance', async () => {
    const { page } = await newPage(browser);
    await page.goto(`${server.url}/#/model`);
    await page.getByTestId('model-card').filter({ hasText: 'xgboost-json' }).waitFor();
    await page.locator('.note').filter({ hasText: 'no sample of customers fits' }).waitFor();
  });
});
