import { longestPolicyPeriod, type ResolvedScalingRules } from './scaling-behavior.js';
import type { ScaleEvent } from './scaling-memory.js';

/** Replicas changed by events newer than `periodSeconds` (strictly after the cut-off, as time.After). */
export function replicasChangedWithin(periodSeconds: number, events: readonly ScaleEvent[], now: number): number {
  const cutoff = now - periodSeconds;
  let replicas = 0;
  for (const event of events) if (event.time > cutoff) replicas += event.change;
  return replicas;
}

/**
 * `storeScaleEvent`: marks events older than the direction's longest policy period as outdated and writes the new
 * event into the last outdated slot, else appends. Returns a new list.
 */
export function storeScaleEvent(events: readonly ScaleEvent[], rules: ResolvedScalingRules, change: number, now: number): ScaleEvent[] {
  const cutoff = now - longestPolicyPeriod(rules);
  const next = events.map((event) => (event.time < cutoff && !event.outdated ? { ...event, outdated: true } : event));
  let slot = -1;
  next.forEach((event, i) => { if (event.outdated) slot = i; });
  const stored: ScaleEvent = { change, time: now, outdated: false };
  if (slot >= 0) next[slot] = stored;
  else next.push(stored);
  return next;
}
