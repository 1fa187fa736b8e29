import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideReplicas, type AutoscalerLimits } from '../../../src/autoscale/hpa/replica-decision.js';
import { resolveBehavior, type ResolvedScalingRules, type ScalingBehavior, type ScalingRules } from '../../../src/autoscale/hpa/scaling-behavior.js';
import { emptyScalingMemory, type ScalingMemory } from '../../../src/autoscale/hpa/scaling-memory.js';
import { SeededRandom } from '../seeded-random.js';

const scenarios = 400;
const syncsPerScenario = 80;

function randomRules(rng: SeededRandom): ScalingRules | null {
  if (rng.chance(0.2)) return null;
  return {
    stabilizationWindowSeconds: rng.chance(0.3) ? null : rng.pick([0, 15, 30, 60, 120, 300, 600]),
    selectPolicy: rng.chance(0.3) ? null : rng.pick(['Max', 'Max', 'Min', 'Min', 'Disabled'] as const),
    policies: rng.chance(0.25) ? null : Array.from({ length: rng.int(1, 3) }, () => rng.chance(0.5)
      ? { type: 'Pods' as const, value: rng.int(1, 8), periodSeconds: rng.pick([15, 30, 60, 120, 300]) }
      : { type: 'Percent' as const, value: rng.int(1, 300), periodSeconds: rng.pick([15, 30, 60, 120, 300]) }),
  };
}

interface Change { time: number; replicas: number }

/** Replicas in effect just after `time`, from our own record of every change. */
function replicasAt(history: readonly Change[], time: number): number {
  let replicas = history[0]!.replicas;
  for (const change of history) if (change.time <= time) replicas = change.replicas;
  return replicas;
}

function upperBound(rules: ResolvedScalingRules, history: readonly Change[], now: number, current: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const allowed = rules.policies.map((p) => {
    const start = replicasAt(history, now - p.periodSeconds);
    return p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
  });
  return Math.max(current, rules.selectPolicy === 'Min' ? Math.min(...allowed) : Math.max(...allowed));
}

function lowerBound(rules: ResolvedScalingRules, history: readonly Change[], now: number, current: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const allowed = rules.policies.map((p) => {
    const start = replicasAt(history, now - p.periodSeconds);
    return p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
  });
  return Math.min(current, rules.selectPolicy === 'Min' ? Math.max(...allowed) : Math.min(...allowed));
}

describe('replica decision properties (seeded random scenarios)', () => {
  it(`never leaves [min, max], never outpaces the policies, and honours the stabilization windows (${scenarios} scenarios)`, () => {
    for (let seed = 1; seed <= scenarios; seed++) {
      const rng = new SeededRandom(seed);
      const minReplicas = rng.int(0, 5);
      const maxReplicas = rng.int(Math.max(1, minReplicas), minReplicas + 30);
      const behavior: ScalingBehavior | null = rng.chance(0.3) ? null : { scaleUp: randomRules(rng), scaleDown: randomRules(rng) };
      const window = rng.pick([0, 60, 300, 600]);
      const limits: AutoscalerLimits = { minReplicas, maxReplicas, behavior, downscaleStabilizationSeconds: window };
      const resolved = behavior === null ? null : resolveBehavior(behavior, window);

      let memory: ScalingMemory = emptyScalingMemory;
      let current = rng.chance(0.15) ? rng.int(0, maxReplicas + 10) : rng.int(Math.max(1, minReplicas), maxReplicas);
      let now = 1000;
      const history: Change[] = [{ time: Number.NEGATIVE_INFINITY, replicas: current }];
      const raw: Change[] = [];
      let level = rng.int(0, maxReplicas * 2);

      for (let step = 0; step < syncsPerScenario; step++) {
        now += 15 + rng.int(0, 2);
        level = Math.max(0, level + rng.int(-6, 6));
        const proposal = rng.chance(0.05) ? null : rng.chance(0.1) ? rng.int(0, maxReplicas * 3) : level;
        const context = `seed ${seed} step ${step} (current ${current}, proposal ${proposal}, min ${minReplicas}, max ${maxReplicas})`;
        if (raw.length === 0 && current !== 0) raw.push({ time: now, replicas: current });

        const decision = decideReplicas({ limits, memory, currentReplicas: current, proposal, now });
        const next = decision.desiredReplicas;
        memory = decision.memory;

        if (current === 0) assert.equal(next, 0, context);
        else if (current > maxReplicas) assert.equal(next, maxReplicas, context);
        else if (current < minReplicas) assert.equal(next, minReplicas, context);
        else {
          assert.ok(next >= minReplicas && next <= maxReplicas, `outside [min, max]: ${next} at ${context}`);
          if (proposal !== null) {
            raw.push({ time: now, replicas: proposal });
            if (resolved === null) {
              if (next > current) assert.ok(next <= Math.max(2 * current, 4), `legacy cap exceeded: ${next} at ${context}`);
              if (next < current) {
                for (const r of raw) if (r.time >= now - window) assert.ok(next >= r.replicas, `legacy window ignored: ${next} < ${r.replicas} at ${context}`);
              }
            } else {
              if (next > current) {
                assert.ok(next <= upperBound(resolved.scaleUp, history, now, current), `faster than the scale-up policies: ${next} at ${context}`);
                for (const r of raw) if (r.time > now - resolved.scaleUp.stabilizationWindowSeconds) assert.ok(next <= r.replicas, `scale-up window ignored at ${context}`);
              }
              if (next < current) {
                assert.ok(next >= lowerBound(resolved.scaleDown, history, now, current), `faster than the scale-down policies: ${next} at ${context}`);
                for (const r of raw) if (r.time > now - resolved.scaleDown.stabilizationWindowSeconds) assert.ok(next >= r.replicas, `scale-down window ignored at ${context}`);
              }
            }
          } else {
            assert.equal(next, current, context);
          }
        }
        if (next !== current) history.push({ time: now, replicas: next });
        current = next;
      }
    }
  });
});
