import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { simulationHtml } from '../../src/autoscale/report/timeline-chart.js';
import { importanceChartHtml } from '../../src/explain/importance-chart.js';
import { htmlLoadReport } from '../../src/loadtest/html-report.js';
import { browserSkipReason, launchBrowser, newPage, screenshot } from '../console/browser-harness.js';
import { sampleReport } from '../loadtest/sample-report.js';

interface Box { top: number; bottom: number; left: number; right: number }

const overlaps = (a: Box, b: Box) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

describe('the HTML reports in a browser', { skip: browserSkipReason() }, () => {
  let browser: Browser;
  let work: string;
  before(async () => {
    browser = await launchBrowser();
    work = mkdtempSync(join(tmpdir(), 'report-pages-'));
  });
  after(async () => {
    await browser?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const reports: [string, () => string, number][] = [
    ['loadtest-report', () => htmlLoadReport(sampleReport()), 3],
    ['explain-report', () => importanceChartHtml({
      records: 3, invalid: 0, invalidExamples: [], baseValue: -1,
      features: [{ feature: 'Contract', meanAbsolute: 0.8, meanSigned: -0.1 }, { feature: 'tenure', meanAbsolute: 0.4, meanSigned: -0.1 }],
    }, 'Feature importance'), 1],
    ['simulate-report', () => {
      const row = { t: 0, offeredRps: 10, servedRps: 10, desiredReplicas: 2, pods: 2, readyReplicas: 2, cpuUtilization: 40, hpaCpuUtilization: 40, hpaRequestRatePerPod: 5, p50Ms: 3, p99Ms: 9, shedRps: 0, failedRps: 0, withinSlo: true };
      const timeline = Array.from({ length: 120 }, (_, t) => ({ ...row, t, offeredRps: 10 + t }));
      return simulationHtml({ timeline, events: [], summary: {} } as never, { title: 'Simulation', slo: { p99Ms: 50, maxErrorRate: 0.001 }, cpuTarget: 60, notes: [], summaryText: 'summary' });
    }, 5],
  ];

  for (const [name, render, charts] of reports) {
    it(`${name}: opens from disk with no network, draws ${charts} chart(s), and no legend overlaps a title`, async () => {
      const file = join(work, `${name}.html`);
      writeFileSync(file, render());
      const { page, errors } = await newPage(browser);
      const requests: string[] = [];
      page.on('request', (request) => { if (!request.url().startsWith('file:')) requests.push(request.url()); });
      await page.goto(pathToFileURL(file).href);
      await page.locator('.uplot').nth(charts - 1).waitFor();
      assert.equal(await page.locator('.uplot canvas').count(), charts);
      const boxes = await page.evaluate(`[...document.querySelectorAll('.uplot')].map((chart) => {
        const box = (el) => { if (!el) return null; const r = el.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, left: r.left, right: r.right }; };
        return { title: box(chart.querySelector('.u-title')), legend: box(chart.querySelector('.u-legend')), plot: box(chart.querySelector('canvas')) };
      })`) as { title: Box | null; legend: Box | null; plot: Box }[];
      for (const { title, legend, plot } of boxes) {
        assert.ok(title !== null, 'every chart has its title');
        assert.ok(!overlaps(title, plot), 'the title sits outside the plot');
        if (legend !== null) {
          assert.ok(!overlaps(legend, title), 'the legend does not overlap the title');
          assert.ok(!overlaps(legend, plot), 'the legend does not overlap the plot');
        }
      }
      await screenshot(page, name);
      assert.deepEqual(requests, []);
      assert.deepEqual(errors, []);
    });
  }
});
