import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { packageRoot } from '../../src/foundation/package-files.js';

export const prometheusRuleFile = join(packageRoot, 'deploy', 'kubernetes', 'components', 'prometheus', 'prometheus-rule.yaml');

/** The rule groups of the PrometheusRule, as a Prometheus rule file (what the operator hands Prometheus). */
export function ruleGroups(edit: (text: string) => string = (text) => text): string {
  const rule = parse(readFileSync(prometheusRuleFile, 'utf8')) as { kind: string; spec: { groups: unknown[] } };
  if (rule.kind !== 'PrometheusRule') throw new Error(`${prometheusRuleFile} is a ${rule.kind}, not a PrometheusRule`);
  return edit(stringify(rule.spec));
}
