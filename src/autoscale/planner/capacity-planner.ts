import type { TrafficProfile } from '../../traffic/traffic-profile.js';
import type { PodCapacity } from '../capacity/pod-capacity.js';
import type { AutoscalerModel, DeploymentModel } from '../manifests/scaling-setup.js';
import { simulate } from '../simulator/simulation.js';
import type { SimulationOptions } from '../simulator/simulation-options.js';
import type { SimulationSummary } from '../simulator/simulation-result.js';
import { scaleUpChoices, targetChoices, withCandidate, type PlanCandidate } from './plan-candidates.js';

export interface PlanInput {
  readonly deployment: DeploymentModel;
  readonly autoscaler: AutoscalerModel;
  readonly capacity: PodCapacity;
  readonly traffic: TrafficProfile;
  readonly options: SimulationOptions;
  /** Fewest replicas to consider (2 keeps a pod through a node drain or a crash). */
  readonly minFloor: number;
  /** Most replicas the search may use. */
  readonly maxCeiling: number;
  /** Highest minReplicas tried per target and policy. */
  readonly minCeiling: number;
}

export interface EvaluatedCandidate {
  readonly candidate: PlanCandidate;
  readonly summary: SimulationSummary;
}

export interface Plan {
  /** The cheapest candidate that met the SLO, with maxReplicas set for headroom; null when none did. */
  readonly best: EvaluatedCandidate | null;
  readonly evaluated: readonly EvaluatedCandidate[];
}

/** Cheaper first; among equals, the one with fewer seconds above the SLO, then the lower p99. */
export function compareCandidates(a: EvaluatedCandidate, b: EvaluatedCandidate): number {
  const cost = a.summary.podHours - b.summary.podHours;
  if (Math.abs(cost) > 1e-9) return cost;
  if (a.summary.secondsAboveSlo !== b.summary.secondsAboveSlo) return a.summary.secondsAboveSlo - b.summary.secondsAboveSlo;
  return (a.summary.p99Ms ?? Number.POSITIVE_INFINITY) - (b.summary.p99Ms ?? Number.POSITIVE_INFINITY);
}

/**
 * Searches minReplicas, the metric target and the scale-up policy for the cheapest settings (fewest pod-hours) whose
 * simulated run meets the SLO. For each target and policy, minReplicas rises from the floor until the SLO holds.
 * maxReplicas then gets half the peak again as headroom: it costs nothing until used, and a run that never
 * reached the new maximum is unchanged by it.
 */
export function planCapacity(input: PlanInput, onEvaluated?: (done: number, total: number) => void): Plan {
  const sustainable = input.capacity.maxSustainableRps > 0 ? input.capacity.maxSustainableRps : 0.8 * input.capacity.saturationRps;
  const targets = targetChoices(input.autoscaler, sustainable);
  const evaluated: EvaluatedCandidate[] = [];
  const run = (candidate: PlanCandidate): EvaluatedCandidate => {
    const result = simulate({ ...input, autoscaler: withCandidate(input.autoscaler, candidate), options: { ...input.options, initialReplicas: candidate.minReplicas } });
    const entry = { candidate, summary: result.summary };
    evaluated.push(entry);
    return entry;
  };
  const total = targets.length * scaleUpChoices.length;
  let done = 0;
  for (const target of targets) {
    for (const scaleUp of scaleUpChoices) {
      for (let minReplicas = input.minFloor; minReplicas <= input.minCeiling; minReplicas++) {
        if (run({ minReplicas, maxReplicas: input.maxCeiling, target, scaleUp }).summary.sloMet) break;
      }
      onEvaluated?.(++done, total);
    }
  }
  const winners = evaluated.filter((e) => e.summary.sloMet).sort(compareCandidates);
  const winner = winners[0];
  if (winner === undefined) return { best: null, evaluated };
  const peak = winner.summary.peakDesiredReplicas;
  const maxReplicas = Math.min(input.maxCeiling, Math.max(winner.candidate.minReplicas + 1, Math.ceil(peak * 1.5)));
  const best = maxReplicas === winner.candidate.maxReplicas ? winner : run({ ...winner.candidate, maxReplicas });
  return { best: best.summary.sloMet ? best : winner, evaluated };
}
