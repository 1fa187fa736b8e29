import { formatTable } from '../../reporting/text-table.js';
import type { SimulationResult, TimelineRow } from '../simulator/simulation-result.js';
import type { Slo } from '../simulator/simulation-options.js';
import { clockTime } from './clock-time.js';

const num = (v: number | null, digits = 0) => (v === null ? '-' : v.toFixed(digits));
const ms = (v: number | null) => (v === null ? '-' : v < 10 ? v.toFixed(1) : v.toFixed(0));

/** The timeline as a table, one row every `everySeconds` (plus every second where replicas changed). */
export function timelineTable(rows: readonly TimelineRow[], everySeconds: number): string {
  const header = ['time', 'offered/s', 'desired', 'pods', 'ready', 'CPU %', 'HPA CPU %', 'HPA rps/pod', 'p50 ms', 'p99 ms', '503/s', 'failed/s', 'SLO'];
  const picked = rows.filter((r, i) => r.t % everySeconds === 0 || i === 0 || r.desiredReplicas !== rows[i - 1]!.desiredReplicas);
  return formatTable([header, ...picked.map((r) => [
    clockTime(r.t), num(r.offeredRps, 1), String(r.desiredReplicas), String(r.pods), String(r.readyReplicas), num(r.cpuUtilization),
    num(r.hpaCpuUtilization), num(r.hpaRequestRatePerPod, 1), ms(r.p50Ms), ms(r.p99Ms), num(r.shedRps, 1), num(r.failedRps, 1), r.withinSlo ? 'ok' : 'MISS',
  ])]);
}

/** What the run means for the user: the summary and the scale events. */
export function simulationSummaryText(result: SimulationResult, slo: Slo): string {
  const s = result.summary;
  const lines = [
    `SLO                p99 <= ${slo.p99Ms} ms, errors <= ${(slo.maxErrorRate * 100).toPrecision(2)}%: ${s.sloMet ? 'met' : 'NOT met'} over the run`,
    `requests           ${Math.round(s.requestsOffered).toLocaleString('en-US')} offered, ${Math.round(s.requestsShed).toLocaleString('en-US')} shed (503), ${Math.round(s.requestsFailed).toLocaleString('en-US')} failed (${(s.errorRate * 100).toFixed(3)}%)`,
    `latency            p50 ${ms(s.p50Ms)} ms, p99 ${ms(s.p99Ms)} ms over the run; worst second p99 ${ms(s.peakP99Ms)} ms`,
    `above SLO          ${s.secondsAboveSlo} s; settled ${s.timeToSettleSeconds === null ? 'never (still missing the SLO at the end)' : `${s.timeToSettleSeconds} s after the first miss`}`,
    `replicas           peak ${s.peakDesiredReplicas}, final ${s.finalDesiredReplicas}; ${s.podHours.toFixed(2)} pod-hours${s.cost === null ? '' : ` (about $${s.cost.toFixed(2)})`}`,
  ];
  if (result.events.length > 0) {
    lines.push('scale events');
    for (const e of result.events.slice(0, 40)) {
      const serving = e.to > e.from ? (e.servingAt === null ? ', never all serving' : `, all serving at ${clockTime(e.servingAt)} (+${e.servingAt - e.t} s)`) : '';
      lines.push(`  ${clockTime(e.t).padStart(8)}  ${e.from} -> ${e.to}  ${e.reason}${serving}`);
    }
    if (result.events.length > 40) lines.push(`  ... ${result.events.length - 40} more`);
  }
  return lines.join('\n');
}
