import { ChurnError } from '../../errors.js';
import { parseSlo } from '../../loadtest/slo.js';
import type { Slo } from '../simulator/simulation-options.js';

export const defaultSloText = 'p99<100ms,errors<0.1%';

/** `--slo "p99<100ms,errors<0.1%"` in the load tester's syntax; the simulator judges p99 and the error rate. */
export function sloFromText(text: string): Slo {
  let p99Ms: number | null = null;
  let maxErrorRate: number | null = null;
  for (const term of parseSlo(text)) {
    if (term.metric === 'p99Ms') p99Ms = term.limit;
    else if (term.metric === 'errorRate') maxErrorRate = term.limit;
    else throw new ChurnError('INVALID_ARGUMENT', `--slo term "${term.text}": the simulator judges p99 latency and errors only`);
  }
  if (p99Ms === null) throw new ChurnError('INVALID_ARGUMENT', `--slo "${text}" needs a p99 term, e.g. p99<100ms`);
  return { p99Ms, maxErrorRate: maxErrorRate ?? 0.001 };
}
