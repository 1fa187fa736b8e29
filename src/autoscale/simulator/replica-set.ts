import type { SimulatedPod } from './simulated-pod.js';

/**
 * The order in which the ReplicaSet controller deletes pods on a scale-down (controller.ActivePods ranking): not
 * yet scheduled, then Pending, then not Ready, then the most recently Ready, then the newest.
 */
export function deletionOrder(pods: readonly SimulatedPod[], now: number): SimulatedPod[] {
  const rank = (pod: SimulatedPod): number[] => [
    now >= pod.scheduledAt ? 1 : 0,
    now >= pod.containerStartedAt ? 1 : 0,
    pod.ready ? 1 : 0,
    pod.ready ? -pod.readyChangedAt : 0,
    -pod.createdAt,
  ];
  return [...pods].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i]! - rb[i]!;
    return 0;
  });
}
