import { useEffect, useState } from 'preact/hooks';
import type { LineChartSpec } from '../reporting/chart-spec.js';
import { api } from './api.js';
import { ChartFigure } from './chart-figure.js';
import { count, milliseconds } from './format.js';
import { glanceFigures, totalsOf, type GlanceFigures, type ScrapeTotals } from './glance-figures.js';
import { parsePrometheusText } from './prometheus-text.js';

/** Every five seconds; `?refresh-seconds=N` in the page's address changes it (a wall screen, a test). */
export const REFRESH_MS = (() => {
  const asked = Number(new URLSearchParams(location.search).get('refresh-seconds'));
  return Number.isFinite(asked) && asked >= 1 ? asked * 1000 : 5000;
})();
/** Five minutes of history at one point per refresh. */
const HISTORY = 60;

const reasons: Record<string, string> = {
  DRAINING: 'shutting down (draining)',
  NOT_READY: 'the model is still loading',
  OVERLOADED: 'overloaded: shedding work',
  NETWORK: 'unreachable',
};

interface Point { at: number; figures: GlanceFigures }

function historyChart(points: readonly Point[], title: string, yLabel: string, pick: (f: GlanceFigures) => number | null, color: string): LineChartSpec {
  const last = points[points.length - 1]?.at ?? 0;
  return {
    kind: 'line', title, xLabel: 'seconds ago', yLabel,
    x: points.map((p) => (p.at - last) / 1000),
    series: [{ name: yLabel, color, values: points.map((p) => pick(p.figures)) }],
  };
}

/** Readiness, traffic, latency, in-flight and shed requests from /readyz and /metrics, refreshed every few seconds. */
export function GlancePage() {
  const [ready, setReady] = useState<{ ready: boolean; code?: string }>();
  const [history, setHistory] = useState<Point[]>([]);
  const [problem, setProblem] = useState<string>();

  useEffect(() => {
    let previous: ScrapeTotals | undefined;
    let stopped = false;
    const refresh = async () => {
      setReady(await api.readiness());
      try {
        const totals = totalsOf(parsePrometheusText(await api.metricsText()), performance.now());
        if (stopped) return;
        if (previous !== undefined) {
          const point = { at: totals.at, figures: glanceFigures(previous, totals) };
          setHistory((h) => [...h, point].slice(-HISTORY));
        }
        previous = totals;
        setProblem(undefined);
      } catch (error) {
        setProblem(error instanceof Error ? error.message : String(error));
      }
    };
    void refresh();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => { stopped = true; clearInterval(timer); };
  }, []);

  const latest = history[history.length - 1]?.figures;
  const figure = (label: string, value: string, testId: string) => <div><dt>{label}</dt><dd data-testid={testId}>{value}</dd></div>;
  return (
    <div class="glance-page">
      <section class="panel" aria-labelledby="glance-heading">
        <h2 id="glance-heading">Now</h2>
        <p class="hint">Scoring traffic (REST and V2) on this server, refreshed every {REFRESH_MS / 1000} seconds.</p>
        {problem !== undefined && <p class="form-error" role="alert">{problem}</p>}
        <dl class="figures" aria-live="polite">
          {figure('Status', ready === undefined ? '…' : ready.ready ? 'Ready' : `Not ready: ${reasons[ready.code ?? ''] ?? ready.code}`, 'readiness')}
          {figure('Requests per second', latest === undefined ? '…' : latest.requestsPerSecond.toFixed(1), 'rps')}
          {figure('p99 latency', latest === undefined ? '…' : latest.p99Ms === null ? 'no requests' : `${latest.p99AtLeast ? '≥ ' : ''}${milliseconds(latest.p99Ms)}`, 'p99')}
          {figure('In flight', latest === undefined ? '…' : count(latest.inFlight), 'in-flight')}
          {figure('Shed per second', latest === undefined ? '…' : `${latest.shedPerSecond.toFixed(1)} (${count(latest.shedTotal)} since start)`, 'shed')}
          {figure('Customers scored per second', latest === undefined ? '…' : count(Math.round(latest.scoredPerSecond)), 'scored-rate')}
        </dl>
      </section>
      {history.length >= 2 && (
        <section class="panel charts-pair" aria-label="The last five minutes">
          <ChartFigure spec={historyChart(history, 'Requests per second', 'requests/s', (f) => f.requestsPerSecond, '#1f77b4')} />
          <ChartFigure spec={historyChart(history, 'p99 latency', 'ms', (f) => f.p99Ms, '#c0392b')} />
        </section>
      )}
    </div>
  );
}
