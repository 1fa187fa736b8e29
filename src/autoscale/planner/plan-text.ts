import { formatTable } from '../../reporting/text-table.js';
import type { Slo } from '../simulator/simulation-options.js';
import { compareCandidates, type EvaluatedCandidate, type Plan } from './capacity-planner.js';
import type { TargetChoice } from './plan-candidates.js';

const targetText = (t: TargetChoice) => (t.kind === 'cpu' ? `CPU ${t.utilization}%` : `${t.rpsPerPod} req/s per pod`);
const ms = (v: number | null) => (v === null ? '-' : v < 10 ? v.toFixed(1) : v.toFixed(0));

/** The candidates that met the SLO, cheapest first, then the closest misses. */
export function planTable(plan: Plan, limit: number): string {
  const met = plan.evaluated.filter((e) => e.summary.sloMet).sort(compareCandidates);
  const missed = plan.evaluated.filter((e) => !e.summary.sloMet).sort((a, b) => a.summary.errorRate - b.summary.errorRate || (a.summary.p99Ms ?? Infinity) - (b.summary.p99Ms ?? Infinity));
  const shown: EvaluatedCandidate[] = [...met.slice(0, limit), ...missed.slice(0, Math.max(0, limit - met.length))];
  return formatTable([
    ['target', 'scale-up', 'min', 'max', 'pod-hours', 'peak pods', 'p99 ms', 'worst p99', 'errors', 's above SLO', 'SLO'],
    ...shown.map((e) => [
      targetText(e.candidate.target), e.candidate.scaleUp.name.split(' ')[0]!, String(e.candidate.minReplicas), String(e.candidate.maxReplicas),
      e.summary.podHours.toFixed(2), String(e.summary.peakDesiredReplicas), ms(e.summary.p99Ms), ms(e.summary.peakP99Ms),
      `${(e.summary.errorRate * 100).toFixed(3)}%`, String(e.summary.secondsAboveSlo), e.summary.sloMet ? 'met' : 'missed',
    ]),
  ]);
}

export function planVerdictText(plan: Plan, slo: Slo): string {
  if (plan.best === null) {
    return `no setting tried met p99 <= ${slo.p99Ms} ms and errors <= ${(slo.maxErrorRate * 100).toPrecision(2)}%: `
      + 'raise --min-ceiling or --max-replicas, relax the SLO, or make a pod faster';
  }
  const { candidate, summary } = plan.best;
  return [
    `cheapest setting that meets p99 <= ${slo.p99Ms} ms, errors <= ${(slo.maxErrorRate * 100).toPrecision(2)}%:`,
    `  minReplicas ${candidate.minReplicas}, maxReplicas ${candidate.maxReplicas}, target ${targetText(candidate.target)}, scale-up ${candidate.scaleUp.name}`,
    `  ${summary.podHours.toFixed(2)} pod-hours${summary.cost === null ? '' : ` (about $${summary.cost.toFixed(2)})`}, peak ${summary.peakDesiredReplicas} pods, p99 ${ms(summary.p99Ms)} ms (worst second ${ms(summary.peakP99Ms)} ms), errors ${(summary.errorRate * 100).toFixed(3)}%`,
  ].join('\n');
}
