import type { IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { IService } from 'kubernetes-models/v1/Service';
import { objectName, type KubernetesObject } from './kubernetes-object.js';
import {
  containers,
  deployments,
  objectsOfKind,
  podLabels,
  podSpec,
  resolvePort,
  selects,
  type Deployment,
} from './workloads.js';

/**
 * What kube-score, kube-linter and Polaris check by default, written as code over the rendered
 * objects so CI needs none of those binaries. Each check names the upstream checks it encodes and
 * honours their suppression annotations, so an exemption is visible in the manifests.
 */
export interface PolicyCheck {
  id: string;
  /** The upstream checks this one encodes. */
  upstream: string;
  suppressedBy: { kubeScore?: string; kubeLinter?: string; polaris?: string };
  run(objects: readonly KubernetesObject[]): Finding[];
}

export interface Finding {
  object: KubernetesObject;
  message: string;
}

function isSuppressed(check: PolicyCheck, object: KubernetesObject): boolean {
  const annotations = object.metadata.annotations ?? {};
  const { kubeScore, kubeLinter, polaris } = check.suppressedBy;
  const kubeScoreIgnored = (annotations['kube-score/ignore'] ?? '').split(',').map((s) => s.trim());
  return (
    (kubeScore !== undefined && kubeScoreIgnored.includes(kubeScore)) ||
    (kubeLinter !== undefined && `ignore-check.kube-linter.io/${kubeLinter}` in annotations) ||
    (polaris !== undefined && annotations[`polaris.fairwinds.com/${polaris}-exempt`] === 'true')
  );
}

/** The check's findings that no suppression annotation exempts, as `Kind/name: message` lines. */
export function violations(check: PolicyCheck, objects: readonly KubernetesObject[]): string[] {
  return check
    .run(objects)
    .filter((finding) => !isSuppressed(check, finding.object))
    .map((finding) => `${objectName(finding.object)}: ${finding.message}`);
}

/** Runs a per-container rule over every container of every Deployment. */
function eachContainer(
  objects: readonly KubernetesObject[],
  rule: (container: IContainer, deployment: Deployment) => string | undefined,
): Finding[] {
  const findings: Finding[] = [];
  for (const deployment of deployments(objects)) {
    for (const container of containers(deployment)) {
      const message = rule(container, deployment);
      if (message !== undefined) findings.push({ object: deployment, message: `container ${container.name}: ${message}` });
    }
  }
  return findings;
}

function eachDeployment(
  objects: readonly KubernetesObject[],
  rule: (deployment: Deployment) => string | undefined,
): Finding[] {
  return deployments(objects).flatMap((deployment) => {
    const message = rule(deployment);
    return message === undefined ? [] : [{ object: deployment, message }];
  });
}

function probeHandler(probe: IProbe | undefined): string | undefined {
  if (probe === undefined) return undefined;
  const { httpGet, tcpSocket, grpc, exec } = probe;
  return JSON.stringify({ httpGet, tcpSocket, grpc, exec });
}

function probePort(probe: IProbe): number | string | undefined {
  return probe.httpGet?.port ?? probe.tcpSocket?.port ?? probe.grpc?.port;
}

const sensitiveName = /SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIAL/i;

/** Replicas bounds of whatever autoscales a Deployment: a plain HPA or a KEDA ScaledObject. */
interface Autoscaler {
  object: KubernetesObject;
  target: { apiVersion?: string; kind?: string; name: string };
  minReplicas: number | undefined;
  maxReplicas: number | undefined;
  behavior: unknown;
}

function autoscalers(objects: readonly KubernetesObject[]): Autoscaler[] {
  const hpas = objectsOfKind<IHorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler').map((hpa) => ({
    object: hpa,
    target: hpa.spec?.scaleTargetRef ?? { name: '' },
    minReplicas: hpa.spec?.minReplicas ?? 1,
    maxReplicas: hpa.spec?.maxReplicas,
    behavior: hpa.spec?.behavior,
  }));
  const scaledObjects = objectsOfKind<IScaledObject>(objects, 'ScaledObject').map((so) => ({
    object: so,
    // KEDA defaults an omitted target apiVersion/kind to apps/v1 Deployment.
    target: { apiVersion: 'apps/v1', kind: 'Deployment', ...so.spec.scaleTargetRef },
    minReplicas: so.spec.minReplicaCount ?? 0,
    maxReplicas: so.spec.maxReplicaCount ?? 100,
    behavior: so.spec.advanced?.horizontalPodAutoscalerConfig?.behavior,
  }));
  return [...hpas, ...scaledObjects];
}

function targets(autoscaler: Autoscaler, deployment: Deployment): boolean {
  // kube-score matches on apiVersion + kind + name; a bare name would not count as a target.
  const { apiVersion, kind, name } = autoscaler.target;
  return apiVersion === 'apps/v1' && kind === 'Deployment' && name === deployment.metadata.name;
}

/** The environment a container gets from literal values and the ConfigMaps it loads with envFrom. */
function literalEnvironment(
  container: IContainer,
  objects: readonly KubernetesObject[],
): Map<string, string> {
  const environment = new Map<string, string>();
  const configMaps = objectsOfKind<IConfigMap>(objects, 'ConfigMap');
  for (const source of container.envFrom ?? []) {
    const configMap = configMaps.find((c) => c.metadata.name === source.configMapRef?.name);
    for (const [key, value] of Object.entries(configMap?.data ?? {})) environment.set(key, value);
  }
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) environment.set(variable.name, variable.value);
  }
  return environment;
}

export const policyChecks: readonly PolicyCheck[] = [
  {
    id: 'probes-present',
    upstream: 'kube-score pod-probes; Polaris livenessProbeMissing, readinessProbeMissing',
    suppressedBy: { kubeScore: 'pod-probes', polaris: 'readinessProbeMissing' },
    run: (objects) =>
      eachContainer(objects, (c) =>
        c.livenessProbe === undefined || c.readinessProbe === undefined
          ? 'needs both a liveness and a readiness probe'
          : undefined,
      ),
  },
  {
    id: 'probes-different',
    upstream: 'kube-score pod-probes-identical',
    suppressedBy: { kubeScore: 'pod-probes-identical' },
    run: (objects) =>
      eachContainer(objects, (c) =>
        c.livenessProbe !== undefined && probeHandler(c.livenessProbe) === probeHandler(c.readinessProbe)
          ? 'liveness and readiness probe the same endpoint: an overloaded pod would be restarted, not just unrouted'
          : undefined,
      ),
  },
  {
    id: 'probe-ports-exist',
    upstream: 'kube-linter liveness-port, readiness-port, startup-port',
    suppressedBy: { kubeLinter: 'liveness-port' },
    run: (objects) =>
      eachContainer(objects, (c) => {
        const probes = { liveness: c.livenessProbe, readiness: c.readinessProbe, startup: c.startupProbe };
        const missing = Object.entries(probes)
          .filter(([, probe]) => probe !== undefined && resolvePort(c, probePort(probe)) === undefined)
          .map(([kind, probe]) => `${kind} probe port ${String(probe === undefined ? '' : probePort(probe))}`);
        return missing.length > 0 ? `${missing.join(', ')} is not a container port` : undefined;
      }),
  },
  {
    id: 'probe-timeouts',
    upstream: 'project rule (k8s-anchors §3): a 1 s timeout fails whenever inference holds the event loop',
    suppressedBy: {},
    run: (objects) =>
      eachContainer(objects, (c) => {
        const probes = [c.startupProbe, c.livenessProbe, c.readinessProbe];
        const bad = probes.filter((p) => p !== undefined && !((p.timeoutSeconds ?? 1) >= 2 && (p.timeoutSeconds ?? 1) <= 10));
        if (bad.length > 0) return 'probe timeoutSeconds must be a few seconds (2-10)';
        if (c.startupProbe === undefined) return 'needs a startupProbe to cover model loading (not initialDelaySeconds)';
        return undefined;
      }),
  },
  {
    id: 'container-resources',
    upstream:
      'kube-score container-resources; kube-linter unset-cpu-requirements, unset-memory-requirements; Polaris cpu/memory requests and limits missing',
    suppressedBy: { kubeScore: 'container-resources' },
    run: (objects) =>
      eachContainer(objects, (c) => {
        const { requests = {}, limits = {} } = c.resources ?? {};
        const missing = [
          ...['cpu', 'memory'].filter((r) => requests[r] === undefined).map((r) => `${r} request`),
          ...['cpu', 'memory'].filter((r) => limits[r] === undefined).map((r) => `${r} limit`),
        ];
        return missing.length > 0 ? `missing ${missing.join(', ')}` : undefined;
      }),
  },
  {
    id: 'ephemeral-storage',
    upstream: 'kube-score container-ephemeral-storage-request-and-limit',
    suppressedBy: { kubeScore: 'container-ephemeral-storage-request-and-limit' },
    run: (objects) =>
      eachContainer(objects, (c) =>
        c.resources?.requests?.['ephemeral-storage'] === undefined ||
        c.resources.limits?.['ephemeral-storage'] === undefined
          ? 'needs an ephemeral-storage request and limit'
          : undefined,
      ),
  },
  {
    id: 'run-as-non-root',
    upstream: 'kube-linter run-as-non-root; kube-score container-security-context-user-group-id; Polaris runAsRootAllowed',
    suppressedBy: { kubeScore: 'container-security-context-user-group-id', kubeLinter: 'run-as-non-root' },
    run: (objects) =>
      eachContainer(objects, (c, d) => {
        const pod = podSpec(d)?.securityContext;
        const nonRoot = c.securityContext?.runAsNonRoot ?? pod?.runAsNonRoot;
        const user = c.securityContext?.runAsUser ?? pod?.runAsUser;
        const group = c.securityContext?.runAsGroup ?? pod?.runAsGroup;
        if (nonRoot !== true) return 'runAsNonRoot must be true';
        if (user === undefined || user <= 10000 || group === undefined || group <= 10000) {
          return 'runAsUser and runAsGroup must be above 10000 (clear of host users)';
        }
        return undefined;
      }),
  },
  {
    id: 'read-only-root-filesystem',
    upstream:
      'kube-linter no-read-only-root-fs; kube-score container-security-context-readonlyrootfilesystem; Polaris notReadOnlyRootFilesystem',
    suppressedBy: { kubeScore: 'container-security-context-readonlyrootfilesystem', kubeLinter: 'no-read-only-root-fs' },
    run: (objects) =>
      eachContainer(objects, (c) =>
        c.securityContext?.readOnlyRootFilesystem === true ? undefined : 'readOnlyRootFilesystem must be true',
      ),
  },
  {
    id: 'no-privilege-escalation',
    upstream:
      'kube-linter privilege-escalation-container, privileged-container; kube-score container-security-context-privileged; Polaris privilegeEscalationAllowed, runAsPrivileged',
    suppressedBy: { kubeLinter: 'privilege-escalation-container' },
    run: (objects) =>
      eachContainer(objects, (c) => {
        if (c.securityContext?.privileged === true) return 'must not be privileged';
        return c.securityContext?.allowPrivilegeEscalation === false ? undefined : 'allowPrivilegeEscalation must be false';
      }),
  },
  {
    id: 'capabilities-dropped',
    upstream: 'kube-linter drop-net-raw-capability; Polaris linuxHardening, dangerousCapabilities, insecureCapabilities',
    suppressedBy: { kubeLinter: 'drop-net-raw-capability' },
    run: (objects) =>
      eachContainer(objects, (c) => {
        const { drop = [], add = [] } = c.securityContext?.capabilities ?? {};
        if (!drop.includes('ALL')) return 'capabilities must drop ALL';
        return add.length > 0 ? `adds capabilities ${add.join(', ')}` : undefined;
      }),
  },
  {
    id: 'seccomp-profile',
    upstream: 'kube-score container-seccomp-profile; Polaris linuxHardening',
    suppressedBy: { kubeScore: 'container-seccomp-profile' },
    run: (objects) =>
      eachContainer(objects, (c, d) => {
        const type = c.securityContext?.seccompProfile?.type ?? podSpec(d)?.securityContext?.seccompProfile?.type;
        return type === 'RuntimeDefault' || type === 'Localhost' ? undefined : 'needs seccompProfile RuntimeDefault';
      }),
  },
  {
    id: 'host-namespaces',
    upstream: 'kube-linter host-network, host-pid, host-ipc; Polaris hostNetworkSet, hostPIDSet, hostIPCSet',
    suppressedBy: { kubeLinter: 'host-network' },
    run: (objects) =>
      eachDeployment(objects, (d) => {
        const spec = podSpec(d);
        return spec?.hostNetwork === true || spec?.hostPID === true || spec?.hostIPC === true
          ? 'must not share the host network, PID or IPC namespace'
          : undefined;
      }),
  },
  {
    id: 'image-tag-pinned',
    upstream: 'kube-linter latest-tag; kube-score container-image-tag; Polaris tagNotSpecified',
    suppressedBy: { kubeScore: 'container-image-tag', kubeLinter: 'latest-tag' },
    run: (objects) =>
      eachContainer(objects, (c) => {
        const image = c.image ?? '';
        if (image.includes('@sha256:')) return undefined;
        const lastSegment = image.slice(image.lastIndexOf('/') + 1);
        const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.indexOf(':') + 1) : '';
        return tag === '' || tag === 'latest' ? `image ${image} must be pinned by tag or digest` : undefined;
      }),
  },
  {
    id: 'image-pull-policy',
    upstream: 'kube-score container-image-pull-policy; Polaris pullPolicyNotAlways',
    suppressedBy: { kubeScore: 'container-image-pull-policy', polaris: 'pullPolicyNotAlways' },
    run: (objects) =>
      eachContainer(objects, (c) => (c.imagePullPolicy === 'Always' ? undefined : 'imagePullPolicy should be Always')),
  },
  {
    id: 'service-account',
    upstream: 'kube-linter non-existent-service-account, default-service-account; Polaris automountServiceAccountToken',
    suppressedBy: { kubeLinter: 'non-existent-service-account' },
    run: (objects) =>
      eachDeployment(objects, (d) => {
        const spec = podSpec(d);
        const name = spec?.serviceAccountName;
        if (name === undefined || name === 'default') return 'needs its own ServiceAccount';
        if (!objects.some((o) => o.kind === 'ServiceAccount' && o.metadata.name === name)) {
          return `ServiceAccount ${name} is not part of the rendering`;
        }
        return spec?.automountServiceAccountToken === false ? undefined : 'automountServiceAccountToken must be false';
      }),
  },
  {
    id: 'environment-variables-unique',
    upstream: 'kube-linter duplicate-env-var; kube-score environment-variable-key-duplication',
    suppressedBy: { kubeScore: 'environment-variable-key-duplication', kubeLinter: 'duplicate-env-var' },
    run: (objects) =>
      eachContainer(objects, (c) => {
        const names = (c.env ?? []).map((e) => e.name);
        const duplicates = names.filter((n, i) => names.indexOf(n) !== i);
        return duplicates.length > 0 ? `duplicate env ${[...new Set(duplicates)].join(', ')}` : undefined;
      }),
  },
  {
    id: 'secrets-from-secrets',
    upstream: 'kube-linter env-var-secret; Polaris sensitiveContainerEnvVar, sensitiveConfigmapContent',
    suppressedBy: { kubeLinter: 'env-var-secret' },
    run: (objects) => [
      ...eachContainer(objects, (c) => {
        const literal = (c.env ?? []).filter((e) => sensitiveName.test(e.name) && e.valueFrom?.secretKeyRef === undefined);
        return literal.length > 0 ? `${literal.map((e) => e.name).join(', ')} must come from a Secret` : undefined;
      }),
      ...objectsOfKind<IConfigMap>(objects, 'ConfigMap').flatMap((configMap) => {
        const keys = Object.keys(configMap.data ?? {}).filter((key) => sensitiveName.test(key));
        return keys.length > 0 ? [{ object: configMap, message: `${keys.join(', ')} belong in a Secret` }] : [];
      }),
    ],
  },
  {
    id: 'selector-matches-template',
    upstream: 'kube-linter mismatching-selector; kube-score deployment-pod-selector-labels-match-template-metadata-labels',
    suppressedBy: { kubeLinter: 'mismatching-selector' },
    run: (objects) =>
      eachDeployment(objects, (d) =>
        selects(d.spec?.selector, podLabels(d)) ? undefined : 'spec.selector does not select the pod template labels',
      ),
  },
  {
    id: 'service-targets-pods',
    upstream: 'kube-score service-targets-pod; kube-linter dangling-service, invalid-target-ports',
    suppressedBy: { kubeScore: 'service-targets-pod', kubeLinter: 'dangling-service' },
    run: (objects) =>
      objectsOfKind<IService>(objects, 'Service').flatMap((service) => {
        const selector = service.spec?.selector ?? {};
        const target = deployments(objects).find((d) => selects({ matchLabels: selector }, podLabels(d)));
        if (target === undefined) return [{ object: service, message: 'selects no pods' }];
        const findings: Finding[] = [];
        for (const port of service.spec?.ports ?? []) {
          const targetPort = port.targetPort ?? port.port;
          if (!containers(target).some((c) => resolvePort(c, targetPort) !== undefined)) {
            findings.push({ object: service, message: `targetPort ${String(targetPort)} is not a container port` });
          }
        }
        return findings;
      }),
  },
  {
    id: 'service-type',
    upstream: 'kube-score service-type',
    suppressedBy: { kubeScore: 'service-type' },
    run: (objects) =>
      objectsOfKind<IService>(objects, 'Service')
        .filter((s) => s.spec?.type === 'NodePort')
        .map((s) => ({ object: s, message: 'NodePort exposes every node; use ClusterIP or LoadBalancer' })),
  },
  {
    id: 'pod-disruption-budget',
    upstream:
      'kube-score deployment-has-poddisruptionbudget, poddisruptionbudget-has-policy; Polaris missingPodDisruptionBudget',
    suppressedBy: { kubeScore: 'deployment-has-poddisruptionbudget', polaris: 'missingPodDisruptionBudget' },
    run: (objects) =>
      eachDeployment(objects, (d) =>
        objectsOfKind<IPodDisruptionBudget>(objects, 'PodDisruptionBudget').some((pdb) =>
          selects(pdb.spec?.selector, podLabels(d)),
        )
          ? undefined
          : 'no PodDisruptionBudget selects its pods',
      ),
  },
  {
    id: 'pod-disruption-budget-allows-drains',
    upstream:
      'kube-linter pdb-max-unavailable, pdb-min-available, pdb-unhealthy-pod-eviction-policy; Polaris pdbDisruptionsIsZero, pdbMinAvailableGreaterThanHPAMinReplicas',
    suppressedBy: { kubeLinter: 'pdb-unhealthy-pod-eviction-policy' },
    run: (objects) =>
      objectsOfKind<IPodDisruptionBudget>(objects, 'PodDisruptionBudget').flatMap((pdb) => {
        const spec = pdb.spec ?? {};
        const problems: string[] = [];
        if (spec.minAvailable !== undefined) problems.push('use maxUnavailable: minAvailable at the HPA minimum blocks every drain');
        if (spec.maxUnavailable === undefined || spec.maxUnavailable === 0 || spec.maxUnavailable === '0%') {
          problems.push('maxUnavailable must allow at least one disruption');
        }
        if (spec.unhealthyPodEvictionPolicy !== 'AlwaysAllow') problems.push('unhealthyPodEvictionPolicy must be AlwaysAllow');
        return problems.map((message) => ({ object: pdb, message }));
      }),
  },
  {
    id: 'network-policy',
    upstream: 'kube-score pod-networkpolicy, networkpolicy-targets-pod; Polaris missingNetworkPolicy',
    suppressedBy: { kubeScore: 'pod-networkpolicy', polaris: 'missingNetworkPolicy' },
    run: (objects) => {
      const policies = objectsOfKind<INetworkPolicy>(objects, 'NetworkPolicy');
      const unselectedPods = eachDeployment(objects, (d) => {
        const applying = policies.filter((p) => selects(p.spec?.podSelector, podLabels(d)));
        const types = new Set(applying.flatMap((p) => p.spec?.policyTypes ?? []));
        return types.has('Ingress') && types.has('Egress')
          ? undefined
          : 'needs NetworkPolicies covering both Ingress and Egress';
      });
      const danglingPolicies = policies
        .filter((p) => !deployments(objects).some((d) => selects(p.spec?.podSelector, podLabels(d))))
        .map((p) => ({ object: p as KubernetesObject, message: 'selects no pods' }));
      return [...unselectedPods, ...danglingPolicies];
    },
  },
  {
    id: 'autoscaler-targets-deployment',
    upstream: 'kube-score horizontalpodautoscaler-has-target',
    suppressedBy: { kubeScore: 'horizontalpodautoscaler-has-target' },
    run: (objects) => {
      const all = autoscalers(objects);
      const orphans = all
        .filter((a) => !deployments(objects).some((d) => targets(a, d)))
        .map((a) => ({ object: a.object, message: 'scaleTargetRef does not name a Deployment (apps/v1) in the rendering' }));
      const deploymentProblems = eachDeployment(objects, (d) => {
        const count = all.filter((a) => targets(a, d)).length;
        return count === 1 ? undefined : `targeted by ${count} autoscalers; exactly one must own its replicas`;
      });
      return [...orphans, ...deploymentProblems];
    },
  },
  {
    id: 'autoscaler-replica-range',
    upstream: 'kube-score horizontalpodautoscaler-replicas; Polaris hpaMinAvailability, hpaMaxAvailability',
    suppressedBy: { kubeScore: 'horizontalpodautoscaler-replicas', polaris: 'hpaMinAvailability' },
    run: (objects) =>
      autoscalers(objects).flatMap((a) => {
        const { minReplicas = 0, maxReplicas = 0 } = a;
        if (minReplicas < 2) return [{ object: a.object, message: 'minimum replicas must be at least 2 for availability' }];
        if (maxReplicas <= minReplicas) return [{ object: a.object, message: 'maximum replicas must exceed the minimum' }];
        return [];
      }),
  },
  {
    id: 'autoscaler-behavior',
    upstream: 'project rule (k8s-anchors finding 1): without behavior the HPA runs its legacy scaling rules',
    suppressedBy: {},
    run: (objects) =>
      autoscalers(objects)
        .filter((a) => a.behavior === undefined)
        .map((a) => ({ object: a.object, message: 'needs an explicit scaling behavior' })),
  },
  {
    id: 'replicas-unset-when-autoscaled',
    upstream: 'kube-score deployment-targeted-by-hpa-does-not-have-replicas-configured',
    suppressedBy: { kubeScore: 'deployment-targeted-by-hpa-does-not-have-replicas-configured' },
    run: (objects) =>
      eachDeployment(objects, (d) =>
        d.spec?.replicas !== undefined && autoscalers(objects).some((a) => targets(a, d))
          ? 'spec.replicas fights the autoscaler: every apply resets the count it chose'
          : undefined,
      ),
  },
  {
    id: 'spread-across-nodes',
    upstream:
      'kube-score deployment-has-host-podantiaffinity, pod-topology-spread-constraints; kube-linter no-anti-affinity; Polaris topologySpreadConstraint',
    suppressedBy: { kubeScore: 'deployment-has-host-podantiaffinity', polaris: 'topologySpreadConstraint' },
    run: (objects) =>
      eachDeployment(objects, (d) => {
        const spec = podSpec(d);
        const labels = podLabels(d);
        const spread = (spec?.topologySpreadConstraints ?? []).some(
          (t) => t.topologyKey === 'kubernetes.io/hostname' && selects(t.labelSelector, labels),
        );
        const antiAffinity = [
          ...(spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
          ...(spec?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map(
            (p) => p.podAffinityTerm,
          ),
        ].some((term) => term.topologyKey === 'kubernetes.io/hostname' && selects(term.labelSelector, labels));
        return spread || antiAffinity ? undefined : 'needs topology spread or anti-affinity across nodes';
      }),
  },
  {
    id: 'rolling-update',
    upstream: 'kube-score deployment-strategy',
    suppressedBy: { kubeScore: 'deployment-strategy' },
    run: (objects) =>
      eachDeployment(objects, (d) => {
        const strategy = d.spec?.strategy;
        const rolling = strategy?.rollingUpdate;
        return strategy?.type === 'RollingUpdate' && rolling?.maxUnavailable === 0 && (rolling.maxSurge ?? 0) !== 0
          ? undefined
          : 'needs RollingUpdate with maxUnavailable 0 and a surge, so capacity never drops during a rollout';
      }),
  },
  {
    id: 'graceful-termination',
    upstream: 'project rule (k8s-anchors finding 7): the grace period covers preStop plus the drain',
    suppressedBy: {},
    run: (objects) =>
      eachContainer(objects, (c, d) => {
        // Only containers that serve traffic drain; a sidecar without ports has nothing to finish.
        if ((c.ports ?? []).length === 0) return undefined;
        const environment = literalEnvironment(c, objects);
        const preStop = c.lifecycle?.preStop?.sleep?.seconds ?? 0;
        const drain = Number(environment.get('SHUTDOWN_DRAIN_SECONDS') ?? '5');
        const requestTimeout = environment.get('REQUEST_TIMEOUT_MS');
        if (requestTimeout === undefined) return 'REQUEST_TIMEOUT_MS unset: in-flight requests have no bound';
        if (preStop === 0) return 'needs a preStop sleep so endpoints stop routing before SIGTERM';
        const needed = preStop + drain + Number(requestTimeout) / 1000 + 5;
        const grace = podSpec(d)?.terminationGracePeriodSeconds ?? 30;
        return grace >= needed
          ? undefined
          : `terminationGracePeriodSeconds ${grace} < preStop ${preStop} + drain ${drain} + request timeout + 5 s margin`;
      }),
  },
  {
    id: 'stable-api-versions',
    upstream: 'kube-score stable-version',
    suppressedBy: { kubeScore: 'stable-version' },
    run: (objects) =>
      objects
        // Built-in groups only: a CRD's version is its operator's choice (KEDA has only v1alpha1).
        .filter((o) => !o.apiVersion.includes('.') || o.apiVersion.includes('.k8s.io/'))
        .filter((o) => /\/v\d+(alpha|beta)\d+$/.test(o.apiVersion) || /^v\d+(alpha|beta)\d+$/.test(o.apiVersion))
        .map((o) => ({ object: o, message: `${o.apiVersion} is not a stable API version` })),
  },
];
