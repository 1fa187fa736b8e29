import { stringify } from 'yaml';
import type { ScalingRules } from '../hpa/scaling-behavior.js';
import type { ManifestObject } from '../manifests/manifest-documents.js';
import type { AutoscalerModel } from '../manifests/scaling-setup.js';
import type { PlanCandidate } from './plan-candidates.js';

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Json : {});

/** Rules as they are written in a manifest (no nulls). */
function rulesYaml(rules: ScalingRules): Json {
  return {
    ...(rules.stabilizationWindowSeconds === null || rules.stabilizationWindowSeconds === undefined ? {} : { stabilizationWindowSeconds: rules.stabilizationWindowSeconds }),
    ...(rules.selectPolicy === null || rules.selectPolicy === undefined ? {} : { selectPolicy: rules.selectPolicy }),
    ...(rules.policies === null || rules.policies === undefined ? {} : { policies: rules.policies.map((p) => ({ type: p.type, value: p.value, periodSeconds: p.periodSeconds })) }),
  };
}

const quantity = (rps: number) => (Number.isInteger(rps) ? String(rps) : `${Math.round(rps * 1000)}m`);

/**
 * The patch that applies a plan to the manifests: for an HPA a strategic-merge patch (its metrics list is
 * replaced whole), for a KEDA ScaledObject a merge patch (its triggers list is replaced whole, so the other
 * triggers are repeated as they were). Ready for a Kustomize `patches:` entry.
 */
export function planPatchYaml(autoscaler: AutoscalerModel, objects: readonly ManifestObject[], candidate: PlanCandidate): string {
  const raw = objects.find((o) => o['kind'] === autoscaler.kind && obj(o['metadata'])['name'] === autoscaler.name) ?? {};
  const spec = obj(raw['spec']);
  const scaleUp = rulesYaml(candidate.scaleUp.rules);
  if (autoscaler.kind === 'ScaledObject') {
    const triggers = (Array.isArray(spec['triggers']) ? spec['triggers'] : []).map((t) => {
      const trigger = structuredClone(obj(t));
      const metadata = obj(trigger['metadata']);
      if (candidate.target.kind === 'request-rate' && trigger['type'] === 'prometheus') trigger['metadata'] = { ...metadata, threshold: quantity(candidate.target.rpsPerPod) };
      if (candidate.target.kind === 'cpu' && trigger['type'] === 'cpu') trigger['metadata'] = { ...metadata, value: String(candidate.target.utilization) };
      return trigger;
    });
    return stringify({
      apiVersion: raw['apiVersion'] ?? 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: autoscaler.name },
      spec: {
        minReplicaCount: candidate.minReplicas,
        maxReplicaCount: candidate.maxReplicas,
        advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleUp } } },
        triggers,
      },
    });
  }
  const metrics = (Array.isArray(spec['metrics']) ? spec['metrics'] : []).map((m) => {
    const metric = structuredClone(obj(m));
    if (candidate.target.kind === 'cpu' && metric['type'] === 'Resource' && obj(metric['resource'])['name'] === 'cpu') {
      metric['resource'] = { ...obj(metric['resource']), target: { type: 'Utilization', averageUtilization: candidate.target.utilization } };
    }
    if (candidate.target.kind === 'request-rate' && (metric['type'] === 'Pods' || metric['type'] === 'External')) {
      const key = metric['type'] === 'Pods' ? 'pods' : 'external';
      const source = obj(metric[key]);
      const target = obj(source['target']);
      metric[key] = { ...source, target: target['type'] === 'Value' ? { type: 'Value', value: quantity(candidate.target.rpsPerPod) } : { type: 'AverageValue', averageValue: quantity(candidate.target.rpsPerPod) } };
    }
    return metric;
  });
  return stringify({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: autoscaler.name },
    spec: {
      minReplicas: candidate.minReplicas,
      maxReplicas: candidate.maxReplicas,
      ...(metrics.length > 0 ? { metrics } : {}),
      behavior: { scaleUp },
    },
  });
}
