import type { FeatureSchema } from '../features/schema.js';
import type { WaterfallSpec } from '../reporting/chart-spec.js';
import type { Explanation } from '../explain/explanation.js';
import type { Prediction } from './api.js';
import { ChartFigure } from './chart-figure.js';
import { percent } from './format.js';
import { plainReasons, reasonSentence } from './plain-words.js';

/** Contributions drawn one by one; the rest are summed into one bar, so the chart stays readable. */
const WATERFALL_STEPS = 8;

const valueText = (v: string | number | null) => (v === null ? 'missing' : String(v));

export function waterfallOf(explanation: Explanation): WaterfallSpec {
  const shown = explanation.contributions.slice(0, WATERFALL_STEPS);
  const rest = explanation.contributions.slice(WATERFALL_STEPS);
  const steps = shown.map((c) => ({ label: `${c.feature} = ${valueText(c.value)}`, delta: c.contribution }));
  if (rest.length > 0) steps.push({ label: `${rest.length} other features`, delta: rest.reduce((s, c) => s + c.contribution, 0) });
  return {
    kind: 'waterfall',
    title: 'How this score was reached',
    valueLabel: 'log-odds of churn',
    start: { label: 'average customer', value: explanation.baseValue },
    steps,
    endLabel: 'this customer',
  };
}

export interface PreviousScore {
  probability: number;
  /** The field whose change led to the new score, when one did. */
  changed?: string;
}

/** The answer for one customer: probability, decision, reasons in plain words and the waterfall of contributions. */
export function PredictionView({ prediction, previous, schema }: { prediction: Prediction; previous?: PreviousScore; schema: FeatureSchema }) {
  const p = prediction.churnProbability;
  const delta = previous === undefined ? undefined : p - previous.probability;
  const reasons = prediction.explanation === undefined ? [] : plainReasons(schema, prediction.explanation.contributions);
  return (
    <div class="prediction" data-testid="prediction">
      <div class={`score ${prediction.churn ? 'at-risk' : 'safe'}`}>
        <p class="probability"><span data-testid="probability">{percent(p)}</span> <span class="label">chance of churn</span></p>
        <meter min={0} max={1} value={p} low={prediction.threshold} high={prediction.threshold} optimum={0} aria-label="churn probability" />
        <p class="decision" data-testid="decision">
          {prediction.churn ? 'Likely to churn' : 'Not likely to churn'}
          <span class="threshold"> (the model's decision threshold is {percent(prediction.threshold)})</span>
        </p>
        {delta !== undefined && (
          <p class="delta" data-testid="delta">
            {Math.abs(delta) < 0.0005 ? 'No change' : `${delta > 0 ? 'Up' : 'Down'} ${(Math.abs(delta) * 100).toFixed(1)} points`} from {percent(previous!.probability)}
            {previous!.changed === undefined ? '' : ` after changing ${previous!.changed}`}.
          </p>
        )}
      </div>
      {reasons.length > 0 && (
        <section aria-labelledby="reasons-heading">
          <h3 id="reasons-heading">Top reasons</h3>
          <ul class="reasons">
            {reasons.map((r) => (
              <li class={r.raises ? 'raises' : 'lowers'} title={r.description}>
                <span class="arrow" aria-hidden="true">{r.raises ? '▲' : '▼'}</span> {reasonSentence(r)}
              </li>
            ))}
          </ul>
        </section>
      )}
      {prediction.explanation !== undefined && (
        <section aria-labelledby="waterfall-heading">
          <h3 id="waterfall-heading">Contributions</h3>
          <p class="hint">
            Exact contributions (SHAP) in log-odds, from the average customer ({prediction.explanation.baseValue.toFixed(3)}) to
            this customer ({prediction.explanation.margin.toFixed(3)} = {percent(p)}). Red raises the risk, blue lowers it.
          </p>
          <ChartFigure spec={waterfallOf(prediction.explanation)} testId="waterfall" />
        </section>
      )}
    </div>
  );
}
