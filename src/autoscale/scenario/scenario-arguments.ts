import { join } from 'node:path';
import { packageRoot } from '../../foundation/package-files.js';
import { defaultSloText } from './slo-objective.js';

/** The citty argument definitions `simulate` and `plan` share. */
export const scenarioArgumentDefinitions = {
  manifests: { type: 'string', description: 'rendered manifests (kubectl kustomize output), a Kustomize directory, or a directory of plain YAML', default: join(packageRoot, 'deploy', 'kubernetes', 'rendered', 'production.yaml') },
  deployment: { type: 'string', description: 'the Deployment to simulate (default: the only one, or churn-predictor)' },
  profile: { type: 'string', description: 'traffic: constant:<rps> | ramp:<from>:<to>:<seconds> | monday-9am[:<scale>] | <file.csv|file.json>', default: 'monday-9am' },
  speedup: { type: 'string', description: 'time compression of monday-9am and file profiles', default: '1' },
  duration: { type: 'string', description: 'run length in seconds (default: the profile\'s)' },
  capacity: { type: 'string', description: 'capacity profile from `loadtest --calibrate --out-profile` (default: the bundled one for this server)' },
  'service-time': { type: 'string', description: 'model a heavier, CPU-bound model: time per request, e.g. 54ms' },
  'request-rate-target': { type: 'string', description: 'requests/s per pod for request-rate metrics (overrides the manifest\'s threshold)' },
  slo: { type: 'string', description: 'objectives judged per second and over the run', default: defaultSloText },
  'metrics-resolution': { type: 'string', description: 'metrics-server --metric-resolution in seconds', default: '15' },
  'image-pull': { type: 'string', description: 'cached | uncached | <seconds>', default: 'cached' },
  'startup-seconds': { type: 'string', description: 'process start until the model is loaded and warm', default: '1.5' },
  'scheduling-seconds': { type: 'string', description: 'pod creation until bound to a node', default: '1' },
  'initial-replicas': { type: 'string', description: 'pods at the start (default: spec.replicas, else the autoscaler minimum)' },
  step: { type: 'string', description: 'simulation step in seconds', default: '0.5' },
  warmup: { type: 'string', description: 'seconds simulated at the first rate before the timeline starts (default: enough for the metric windows)' },
  'price-per-pod-hour': { type: 'string', description: 'USD per pod-hour for the cost line (default: from the pod\'s requests at list prices)' },
} as const;
