import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { packageRoot } from '../../src/foundation/package-files.js';
import { temporaryDirectory } from '../helpers/fixtures.js';
import { ruleGroups } from './prometheus-rule.js';
import { requireTool } from './required-tool.js';

const unitTests = join(packageRoot, 'test', 'fixtures', 'monitoring', 'alert-rules.test.yaml');

const work = temporaryDirectory('churn-alert-rules-');
after(() => rmSync(work, { recursive: true, force: true }));

function promtool(args: string[]): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { encoding: 'utf8', cwd: work });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function runUnitTests(rules: string): { status: number | null; output: string } {
  writeFileSync(join(work, 'rules.yaml'), rules);
  copyFileSync(unitTests, join(work, 'alert-rules.test.yaml'));
  return promtool(['test', 'rules', 'alert-rules.test.yaml']);
}

describe('the PrometheusRule (promtool, Debian package prometheus)', () => {
  it('passes promtool check rules', (t) => {
    if (!requireTool(t, 'promtool', 'prometheus')) return;
    writeFileSync(join(work, 'rules.yaml'), ruleGroups());
    const { status, output } = promtool(['check', 'rules', 'rules.yaml']);
    assert.equal(status, 0, output);
    assert.match(output, /SUCCESS: 6 rules found/);
  });

  it('passes its unit tests: a stationary stream fires nothing, a shifted feature fires its drift alert, and each other alert fires on its own series', (t) => {
    if (!requireTool(t, 'promtool', 'prometheus')) return;
    const { status, output } = runUnitTests(ruleGroups());
    assert.equal(status, 0, output);
    assert.match(output, /SUCCESS/);
  });

  it('the unit tests can fail: with the drift threshold at 0.01, the stationary stream fires and promtool says so', (t) => {
    if (!requireTool(t, 'promtool', 'prometheus')) return;
    const { status, output } = runUnitTests(ruleGroups((text) => text.replace('(churn_feature_drift_psi) > 0.2', '(churn_feature_drift_psi) > 0.01')));
    assert.notEqual(status, 0, output);
    assert.match(output, /alertname: ChurnFeatureDrift, time: 1h/);
  });
});
