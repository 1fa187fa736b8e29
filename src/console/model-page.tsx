import { useEffect, useState } from 'preact/hooks';
import type { BarChartSpec } from '../reporting/chart-spec.js';
import { chartColors } from '../reporting/chart-spec.js';
import { api, ApiError, type ConsoleSettings, type GlobalImportance, type ModelCard } from './api.js';
import { ChartFigure } from './chart-figure.js';
import { DriftPanel } from './drift-panel.js';
import { count, percent } from './format.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string => (typeof v === 'number' ? (Number.isInteger(v) ? count(v) : String(Number(v.toPrecision(4)))) : String(v));

/** The held-out test metrics of a native card, in words people use. */
function MetricsTable({ metrics }: { metrics: Record<string, unknown> }) {
  const test = isObject(metrics['test']) ? metrics['test'] : undefined;
  if (test === undefined) return null;
  const at = isObject(test['atThreshold']) ? test['atThreshold'] : {};
  const rows: [string, string][] = [
    ['Customers in the test set', text(test['examples'])],
    ['of whom churned', text(test['positives'])],
    ['ROC AUC (ranking quality, 0.5 = chance)', text(test['rocAuc'])],
    ['PR AUC', text(test['prAuc'])],
    ['Precision at the threshold (flagged who churned)', typeof at['precision'] === 'number' ? percent(at['precision']) : ''],
    ['Recall at the threshold (churners flagged)', typeof at['recall'] === 'number' ? percent(at['recall']) : ''],
    ['Accuracy at the threshold', typeof at['accuracy'] === 'number' ? percent(at['accuracy']) : ''],
    ['Log loss', text(test['logLoss'])],
    ['Brier score', text(test['brierScore'])],
  ];
  return (
    <table class="card-table">
      <caption>Quality on customers held out from training</caption>
      <tbody>{rows.filter(([, v]) => v !== '' && v !== 'undefined').map(([k, v]) => <tr><th scope="row">{k}</th><td>{v}</td></tr>)}</tbody>
    </table>
  );
}

function CardFacts({ card }: { card: ModelCard }) {
  const threshold = isObject(card['threshold']) ? card['threshold'] : undefined;
  const data = isObject(card['trainingData']) ? card['trainingData'] : undefined;
  const facts: [string, string][] = [
    ['Name', card.name],
    ['Version', card.version],
    ['Algorithm', text(card['algorithm'] ?? card['format'] ?? '')],
    ['Task', text(card['task'] ?? 'binary classification')],
    ['Created', typeof card['createdAt'] === 'string' ? new Date(card['createdAt']).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' }) : ''],
    ['Decision threshold', threshold === undefined ? '' : `${percent(Number(threshold['value']))}${threshold['overridden'] === true ? ' (set by DECISION_THRESHOLD)' : typeof threshold['method'] === 'string' ? `: ${threshold['method']}` : ''}`],
    ['Training data', data === undefined ? '' : `${text(data['file'])}, ${text(data['rows'])} customers, ${text(data['positives'])} churned`],
    ['Training data sha256', data === undefined ? '' : text(data['sha256'])],
    ['Payload sha256', text(card['payloadSha256'] ?? '')],
  ];
  return (
    <dl class="card-facts" data-testid="model-card">
      {facts.filter(([, v]) => v !== '').map(([k, v]) => <div><dt>{k}</dt><dd>{v}</dd></div>)}
    </dl>
  );
}

function importanceChart(importance: GlobalImportance): BarChartSpec {
  return {
    kind: 'bars', title: 'What drives churn risk overall', valueLabel: 'mean |contribution| (log-odds)', color: chartColors.bar,
    bars: importance.features.map((f) => ({ label: f.feature, value: f.meanAbsolute })),
  };
}

/** The model card, its global importance, and the drift of live traffic since training. */
export function ModelPage({ settings, onUnauthorized }: { settings: ConsoleSettings; onUnauthorized: (error: ApiError) => void }) {
  const [card, setCard] = useState<ModelCard>();
  const [importance, setImportance] = useState<GlobalImportance>();
  const [problem, setProblem] = useState<string>();
  const [importanceProblem, setImportanceProblem] = useState<string>();

  useEffect(() => {
    api.model().then(setCard, (error: unknown) => {
      if (error instanceof ApiError && error.status === 401) onUnauthorized(error);
      else setProblem(error instanceof Error ? error.message : String(error));
    });
    if (settings.explains) {
      api.importance().then(setImportance, (error: unknown) => {
        if (error instanceof ApiError && error.status === 401) onUnauthorized(error);
        else setImportanceProblem(error instanceof Error ? error.message : String(error));
      });
    } else {
      setImportanceProblem('This model cannot explain its predictions, so it has no global importance.');
    }
  }, []);

  return (
    <div class="model-page">
      <section class="panel" aria-labelledby="card-heading">
        <h2 id="card-heading">Model card</h2>
        {problem !== undefined && <p class="form-error" role="alert">{problem}</p>}
        {card === undefined ? problem === undefined && <p class="placeholder">Loading…</p> : (
          <>
            <CardFacts card={card} />
            {isObject(card['metrics']) && <MetricsTable metrics={card['metrics']} />}
            <details>
              <summary>The {settings.schema.features.length} input features</summary>
              <div class="table-scroll">
                <table>
                  <thead><tr><th scope="col">Feature</th><th scope="col">Values</th><th scope="col">Meaning</th></tr></thead>
                  <tbody>
                    {settings.schema.features.map((f) => (
                      <tr><th scope="row">{f.name}</th><td>{f.kind === 'categorical' ? f.categories.join(', ') : Math.abs(f.minimum) < 1e300 ? `${f.minimum} to ${f.maximum}${f.unit === undefined ? '' : ` ${f.unit}`}` : 'any number'}</td><td>{f.description}</td></tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </details>
          </>
        )}
      </section>
      <section class="panel" aria-labelledby="importance-heading">
        <h2 id="importance-heading">Global importance</h2>
        {importance === undefined
          ? <p class={importanceProblem === undefined ? 'placeholder' : 'note'}>{importanceProblem ?? 'Computing over sample customers…'}</p>
          : (
            <>
              <p class="hint">Average size of each feature's exact contribution to the churn score over {count(importance.records - importance.invalid)} sample customers: the longer the bar, the more the feature moves scores.</p>
              <ChartFigure spec={importanceChart(importance)} testId="importance" />
            </>
          )}
      </section>
      <DriftPanel onUnauthorized={onUnauthorized} />
    </div>
  );
}
