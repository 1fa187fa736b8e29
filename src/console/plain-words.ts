import type { FeatureSchema } from '../features/schema.js';
import type { FeatureContribution as Contribution } from '../explain/explanation.js';

/** Contributions (log-odds) below this are not worth a sentence; above the others, the words say how much. */
const NEGLIGIBLE = 0.01;
const STRONG = 0.5;
const CLEAR = 0.2;

export interface Reason {
  feature: string;
  /** The feature's description from the schema, for a hint. */
  description: string;
  value: string;
  raises: boolean;
  /** "strongly", "" or "slightly". */
  strength: string;
  contribution: number;
}

function valueText(schema: FeatureSchema, contribution: Contribution): string {
  const spec = schema.features.find((f) => f.name === contribution.feature);
  if (contribution.value === null) return 'missing';
  // "1 month", "12 months": units are written in the plural.
  if (spec?.kind === 'numeric' && spec.unit !== undefined) return `${contribution.value} ${contribution.value === 1 ? spec.unit.replace(/s$/, '') : spec.unit}`;
  return String(contribution.value);
}

/**
 * The top reasons of an explanation, for a person: which value of which field pushed the risk which way and how
 * hard (the API's own `reasons` are terse phrases for logs). Largest contributions first.
 */
export function plainReasons(schema: FeatureSchema, contributions: readonly Contribution[], count = 3): Reason[] {
  return contributions
    .filter((c) => Math.abs(c.contribution) >= NEGLIGIBLE)
    .slice(0, count)
    .map((c) => {
      const size = Math.abs(c.contribution);
      return {
        feature: c.feature,
        description: schema.features.find((f) => f.name === c.feature)?.description ?? '',
        value: valueText(schema, c),
        raises: c.contribution > 0,
        strength: size >= STRONG ? 'strongly' : size >= CLEAR ? '' : 'slightly',
        contribution: c.contribution,
      };
    });
}

/** "Contract is Month-to-month: this strongly raises the risk of churn." */
export function reasonSentence(reason: Reason): string {
  const verb = `${reason.strength === '' ? '' : `${reason.strength} `}${reason.raises ? 'raises' : 'lowers'}`;
  return `${reason.feature} is ${reason.value}: this ${verb} the risk of churn.`;
}
