import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { browserSkipReason, consoleServer, launchBrowser, newPage, screenshot, type ConsoleServer } from './browser-harness.js';

const skip = browserSkipReason();

const probabilityOf = async (page: Page) => Number((await page.getByTestId('probability').textContent())!.replace('%', '')) / 100;

describe('the console scores one customer', { skip }, () => {
  let browser: Browser;
  let server: ConsoleServer;
  before(async () => { [browser, server] = await Promise.all([launchBrowser(), consoleServer()]); });
  after(async () => { await browser?.close(); await server?.close(); });

  it('fills a sample customer, scores it, and shows the probability, the decision, reasons and the waterfall', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto(server.url);
    await page.getByRole('button', { name: 'Fill with a sample customer' }).click();
    await page.getByTestId('waterfall').locator('canvas').waitFor();
    const shown = await probabilityOf(page);
    // The same customer through the API: the console shows the server's number.
    const record = Object.fromEntries(await page.locator('.customer-form [name]').evaluateAll((els) => els.map((el) => [el.getAttribute('name')!, (el as unknown as { value: string }).value])));
    const schemaNumbers = ['SeniorCitizen', 'tenure', 'MonthlyCharges', 'TotalCharges'];
    for (const name of schemaNumbers) record[name] = record[name] === '' ? null : Number(record[name]);
    const answer = await server.app.inject({ method: 'POST', url: '/predict', payload: record });
    assert.equal(shown.toFixed(3), answer.json<{ churnProbability: number }>().churnProbability.toFixed(3));
    const decision = await page.getByTestId('decision').textContent();
    assert.match(decision!, answer.json<{ churn: boolean }>().churn ? /^Likely to churn/ : /^Not likely to churn/);
    assert.ok(await page.locator('.reasons li').count() >= 1, 'top reasons in plain words');
    assert.match((await page.locator('.reasons li').first().textContent())!, / is .*: this .*(raises|lowers) the risk of churn\./);
    // The waterfall's table: from the average customer to this one, with every step.
    const rows = await page.getByTestId('waterfall').locator('tbody tr').count();
    assert.ok(rows >= 4, `waterfall rows: ${rows}`);
    await screenshot(page, 'customer-scored');
    assert.deepEqual(errors, []);
  });

  it('re-scores at once when a field changes, and says how far the score moved', async () => {
    const { page } = await newPage(browser);
    await page.goto(server.url);
    await page.getByRole('button', { name: 'Fill with a sample customer' }).click();
    await page.getByTestId('probability').waitFor();
    await page.getByLabel('Contract', { exact: true }).selectOption('Month-to-month');
    await page.getByLabel('tenure', { exact: true }).fill('1');
    await page.getByTestId('delta').waitFor();
    await page.getByTestId('delta').filter({ hasText: 'after changing tenure' }).waitFor();
    const before = await probabilityOf(page);
    await page.getByLabel('Contract', { exact: true }).selectOption('Two year');
    await page.getByTestId('delta').filter({ hasText: 'after changing Contract' }).waitFor();
    const afterChange = await probabilityOf(page);
    assert.ok(afterChange < before, `a two-year contract lowers the risk: ${before} -> ${afterChange}`);
    assert.match((await page.getByTestId('delta').textContent())!, /^Down .* points from .* after changing Contract\.$/);
    await screenshot(page, 'customer-what-if');
  });

  it('puts the server\'s validation message on the field it names', async () => {
    const { page } = await newPage(browser);
    await page.goto(server.url);
    await page.getByRole('button', { name: 'Fill with a sample customer' }).click();
    await page.getByTestId('probability').waitFor();
    await page.getByLabel('tenure', { exact: true }).fill('-5');
    const error = page.locator('[data-field="tenure"] .field-error');
    await error.waitFor();
    const expected = await server.app.inject({ method: 'POST', url: '/predict', payload: { tenure: -5 } });
    const message = expected.json<{ error: { details: { path: string; message: string }[] } }>().error.details.find((d) => d.path === '/tenure')!.message;
    assert.equal(await error.textContent(), message);
    assert.equal(await page.getByLabel('tenure', { exact: true }).getAttribute('aria-invalid'), 'true');
    assert.match((await page.getByTestId('form-error').textContent())!, /did not accept 1 field/);
    await screenshot(page, 'customer-invalid-field');
  });

  it('can be used with the keyboard alone', async () => {
    const { page } = await newPage(browser);
    await page.goto(server.url);
    // Tab from the top of the page to the sample button and press it; then tab to Contract and change it by keys.
    const focusOn = async (predicate: string, limit = 80) => {
      for (let i = 0; i < limit; i++) {
        await page.keyboard.press('Tab');
        if (await page.evaluate(predicate)) return;
      }
      assert.fail(`never reached ${predicate} with Tab`);
    };
    await focusOn('document.activeElement?.textContent === "Fill with a sample customer"');
    await page.keyboard.press('Enter');
    await page.getByTestId('probability').waitFor();
    const before = await page.getByTestId('probability').textContent();
    await focusOn('document.activeElement?.id === "field-tenure"');
    // Arrow keys step the number; the console re-scores once the keys pause.
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await page.getByTestId('delta').filter({ hasText: 'after changing tenure' }).waitFor();
    assert.notEqual(await page.getByTestId('probability').textContent(), undefined);
    // Enter in a field submits the form: scoring without the mouse.
    await page.keyboard.press('Enter');
    await page.getByTestId('delta').filter({ hasText: /^No change/ }).waitFor();
    assert.ok(before !== null);
  });
});
