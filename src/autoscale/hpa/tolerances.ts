import { controllerDefaults } from './controller-defaults.js';

/**
 * How far the usage ratio may stray from 1 before the controller acts, per direction. Per-direction values come from
 * `behavior.scaleUp/scaleDown.tolerance` (KEP-4951); otherwise both are the controller flag (0.1).
 */
export interface Tolerances {
  readonly scaleUp: number;
  readonly scaleDown: number;
}

export const defaultTolerances: Tolerances = Object.freeze({ scaleUp: controllerDefaults.tolerance, scaleDown: controllerDefaults.tolerance });

export function uniformTolerances(tolerance: number): Tolerances {
  return { scaleUp: tolerance, scaleDown: tolerance };
}

/** Inclusive at both ends, as `Tolerances.isWithin` in replica_calculator.go; NaN is never within. */
export function isWithinTolerance(usageRatio: number, tolerances: Tolerances): boolean {
  return 1 - tolerances.scaleDown <= usageRatio && usageRatio <= 1 + tolerances.scaleUp;
}

/** The tolerances an HPA runs with: the behavior's per-direction values where set, else the controller flag. */
export function tolerancesFor(behavior: { readonly scaleUp?: { readonly tolerance?: number | null } | null; readonly scaleDown?: { readonly tolerance?: number | null } | null } | null, flag: number = controllerDefaults.tolerance): Tolerances {
  return {
    scaleUp: behavior?.scaleUp?.tolerance ?? flag,
    scaleDown: behavior?.scaleDown?.tolerance ?? flag,
  };
}
