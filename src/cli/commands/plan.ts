import { defineCommand } from 'citty';
import { ChurnError } from '../../errors.js';
import { planCapacity } from '../../autoscale/planner/capacity-planner.js';
import { planPatchYaml } from '../../autoscale/planner/manifest-patch.js';
import { planTable, planVerdictText } from '../../autoscale/planner/plan-text.js';
import { numberOption } from '../../foundation/option-values.js';
import { scenarioArgumentDefinitions } from '../../autoscale/scenario/scenario-arguments.js';
import { loadScenario } from '../../autoscale/scenario/scenario.js';
import { runSafely } from '../run-safely.js';

export const planCommand = defineCommand({
  meta: { name: 'plan', description: 'Search min/max replicas, the metric target and the scale-up policy for the cheapest settings that meet the SLO; print the manifest patch' },
  args: {
    ...scenarioArgumentDefinitions,
    step: { ...scenarioArgumentDefinitions.step, default: '1' },
    'min-floor': { type: 'string', description: 'fewest replicas to consider', default: '2' },
    'min-ceiling': { type: 'string', description: 'most minReplicas to try (default: floor + 8)' },
    'max-replicas': { type: 'string', description: 'most replicas the search may use (default: the manifest\'s maximum)' },
    show: { type: 'string', description: 'candidates to list', default: '10' },
    json: { type: 'boolean', description: 'print the plan as JSON', default: false },
  },
  run: ({ args }) => runSafely(() => {
    const scenario = loadScenario(args);
    const autoscaler = scenario.setup.autoscaler;
    if (autoscaler === null) throw new ChurnError('MANIFEST_INVALID', 'the manifests have no HPA or ScaledObject for the Deployment: there is nothing to plan');
    const minFloor = numberOption(args['min-floor'], 'min-floor', { min: 1, integer: true })!;
    const minCeiling = numberOption(args['min-ceiling'], 'min-ceiling', { min: minFloor, integer: true }) ?? minFloor + 8;
    const maxCeiling = numberOption(args['max-replicas'], 'max-replicas', { min: minCeiling, integer: true }) ?? Math.max(autoscaler.maxReplicas, minCeiling);
    const plan = planCapacity({ ...scenario.setup, autoscaler, capacity: scenario.capacity, traffic: scenario.traffic, options: scenario.options, minFloor, minCeiling, maxCeiling },
      (done, total) => { if (process.stderr.isTTY) process.stderr.write(`\rsimulated ${done}/${total} target and policy pairs`); });
    if (process.stderr.isTTY) process.stderr.write('\n');
    const patch = plan.best === null ? null : planPatchYaml(autoscaler, scenario.objects, plan.best.candidate);
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ notes: scenario.notes, best: plan.best, patch, evaluated: plan.evaluated }, null, 2)}\n`);
    } else {
      const show = numberOption(args.show, 'show', { min: 1, integer: true })!;
      process.stdout.write(`${scenario.notes.join('\n')}\n\n${planTable(plan, show)}\n\n${planVerdictText(plan, scenario.options.slo)}\n`);
      if (patch !== null) process.stdout.write(`\nmanifest patch (Kustomize \`patches:\`):\n---\n${patch}`);
    }
    if (plan.best === null) process.exitCode = 2;
  }),
});
