// How a record's fields are checked and where their encoding goes: one plan per feature, in schema order.

export interface NumericPlan {
  readonly kind: 'numeric';
  readonly key: string;
  readonly pointer: string;
  readonly column: number;
  readonly integer: boolean;
  readonly minimum: number;
  readonly maximum: number;
  readonly nullable: boolean;
}

export interface CategoricalPlan {
  readonly kind: 'categorical';
  readonly key: string;
  readonly pointer: string;
  readonly firstColumn: number;
  readonly categories: readonly string[];
  /** `"a", "b"`: the allowed values as messages quote them; empty for an open categorical. */
  readonly choices: string;
}

export type FieldPlan = NumericPlan | CategoricalPlan;

/** The longest pass-through identifier a record may carry. */
export const ID_MAX_LENGTH = 256;

/** Whether a number is a valid value of a numeric feature: finite, within its bounds, whole when it must be. */
export function numberFits(plan: NumericPlan, value: number): boolean {
  return Number.isFinite(value) && value >= plan.minimum && value <= plan.maximum && (!plan.integer || Number.isInteger(value));
}
