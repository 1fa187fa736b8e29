import { defineCommand } from 'citty';
import { ChurnError } from '../../errors.js';
import { readJsonInput } from '../../autoscale/decision-input/json-input.js';
import { readNormalizeRequest } from '../../autoscale/decision-input/normalize-request.js';
import { readProposeRequest } from '../../autoscale/decision-input/propose-request.js';
import { decideReplicas } from '../../autoscale/hpa/replica-decision.js';
import { proposeReplicas } from '../../autoscale/hpa/replica-proposal.js';
import { runSafely } from '../run-safely.js';

const inputArg = { type: 'string', description: 'JSON input file (default: standard input)' } as const;

const proposeCommand = defineCommand({
  meta: { name: 'propose', description: 'One metric\'s replica proposal, as the HPA controller computes it (JSON in, JSON out)' },
  args: { input: inputArg },
  run: ({ args }) => runSafely(async () => {
    const result = proposeReplicas(readProposeRequest(await readJsonInput(args.input)));
    if (!result.ok) throw new ChurnError('HPA_NO_METRICS', result.reason);
    process.stdout.write(`${JSON.stringify({ desiredReplicas: result.desiredReplicas, utilization: result.utilization })}\n`);
  }),
});

const normalizeCommand = defineCommand({
  meta: { name: 'normalize', description: 'The controller\'s decision from a proposal: min/max, stabilization and rate limits (JSON in, JSON out)' },
  args: {
    input: inputArg,
    state: { type: 'boolean', description: 'also print the updated recommendations and scale events', default: false },
  },
  run: ({ args }) => runSafely(async () => {
    const request = readNormalizeRequest(await readJsonInput(args.input));
    const decision = decideReplicas(request);
    const output = args.state ? { desiredReplicas: decision.desiredReplicas, reason: decision.reason, ...decision.memory } : { desiredReplicas: decision.desiredReplicas };
    process.stdout.write(`${JSON.stringify(output)}\n`);
  }),
});

export const hpaCommand = defineCommand({
  meta: { name: 'hpa', description: 'Check single HorizontalPodAutoscaler decisions against the controller\'s algorithm' },
  subCommands: { propose: proposeCommand, normalize: normalizeCommand },
});
