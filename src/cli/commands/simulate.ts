import { writeFileSync } from 'node:fs';
import { defineCommand } from 'citty';
import { numberOption } from '../../foundation/option-values.js';
import { scenarioArgumentDefinitions } from '../../autoscale/scenario/scenario-arguments.js';
import { loadScenario } from '../../autoscale/scenario/scenario.js';
import { simulationSummaryText, timelineTable } from '../../autoscale/report/simulation-text.js';
import { simulationHtml } from '../../autoscale/report/timeline-chart.js';
import { simulate } from '../../autoscale/simulator/simulation.js';
import { runSafely } from '../run-safely.js';

export const simulateCommand = defineCommand({
  meta: { name: 'simulate', description: 'Replay a traffic profile against the manifests: pods, latency, errors and cost under the real HPA algorithm' },
  args: {
    ...scenarioArgumentDefinitions,
    json: { type: 'boolean', description: 'print the full result (timeline, events, summary) as JSON instead of the table', default: false },
    out: { type: 'string', description: 'also write the full result as JSON to this file' },
    html: { type: 'string', description: 'write an HTML report with charts to this file' },
    every: { type: 'string', description: 'table row interval in seconds', default: '60' },
  },
  run: ({ args }) => runSafely(() => {
    const scenario = loadScenario(args);
    const every = numberOption(args.every, 'every', { min: 1, integer: true })!;
    const result = simulate({ deployment: scenario.setup.deployment, autoscaler: scenario.setup.autoscaler, capacity: scenario.capacity, traffic: scenario.traffic, options: scenario.options });
    const summary = simulationSummaryText(result, scenario.options.slo);
    const json = () => `${JSON.stringify({ notes: scenario.notes, summary: result.summary, events: result.events, timeline: result.timeline }, null, 2)}\n`;
    if (args.json) process.stdout.write(json());
    else process.stdout.write(`${scenario.notes.join('\n')}\n\n${timelineTable(result.timeline, every)}\n\n${summary}\n`);
    if (args.out !== undefined) writeFileSync(args.out, json());
    if (args.html !== undefined) {
      const cpu = scenario.setup.autoscaler?.metrics.find((m) => m.kind === 'cpu-utilization');
      writeFileSync(args.html, simulationHtml(result, {
        title: `Autoscaling simulation: ${scenario.traffic.name}`,
        slo: scenario.options.slo,
        cpuTarget: cpu?.kind === 'cpu-utilization' ? cpu.targetUtilization : null,
        notes: scenario.notes,
        summaryText: summary,
      }));
      process.stderr.write(`wrote ${args.html}\n`);
    }
  }),
});
