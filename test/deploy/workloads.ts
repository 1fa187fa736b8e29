import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { KubernetesObject } from './kubernetes-object.js';

/** Typed views of the rendered objects the policy checks read. */

export type Deployment = IDeployment & KubernetesObject;

export function deployments(objects: readonly KubernetesObject[]): Deployment[] {
  return objects.filter((o): o is Deployment => o.kind === 'Deployment' && o.apiVersion === 'apps/v1');
}

export function objectsOfKind<T>(objects: readonly KubernetesObject[], kind: string): (T & KubernetesObject)[] {
  return objects.filter((o) => o.kind === kind) as (T & KubernetesObject)[];
}

export function podSpec(deployment: Deployment): IPodSpec | undefined {
  return deployment.spec?.template.spec;
}

export function podLabels(deployment: Deployment): Record<string, string> {
  return deployment.spec?.template.metadata?.labels ?? {};
}

export function containers(deployment: Deployment): IContainer[] {
  const spec = podSpec(deployment);
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
}

/** Whether a label selector's matchLabels (the only form these manifests use) selects the labels. */
export function selects(
  selector: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] } | undefined,
  labels: Record<string, string>,
): boolean {
  if (selector === undefined) return false;
  const matchLabels = Object.entries(selector.matchLabels ?? {});
  // An empty selector selects everything, which is never what a policy here means.
  if (matchLabels.length === 0) return false;
  return matchLabels.every(([key, value]) => labels[key] === value);
}

/** A container port referenced by number or by name, resolved to its number. */
export function resolvePort(container: IContainer, port: number | string | undefined): number | undefined {
  if (port === undefined) return undefined;
  const match = (container.ports ?? []).find((p) => p.containerPort === port || (p.name !== undefined && p.name === port));
  return match?.containerPort;
}
