import { formatTable } from '../reporting/text-table.js';
import type { CalibrationResult, CalibrationStepReport } from './calibration.js';

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** One progress line per calibration step. */
export function formatCalibrationStep(s: CalibrationStepReport): string {
  return `step ${s.index + 1} (${s.phase}): offered ${s.offeredRps}/s, achieved ${s.achievedRps.toFixed(1)}/s, `
    + `p50 ${s.p50Ms.toFixed(2)} ms, p99 ${s.p99Ms.toFixed(2)} ms, errors ${(s.errorRate * 100).toFixed(2)}%, `
    + `server CPU ${(s.cpuUtilization * 100).toFixed(0)}%, RSS ${mib(s.rssBytes)}: ${s.withinSlo ? 'ok' : `FAILED (${s.failure})`}`;
}

/** The calibration summary: every step, then the capacity the profile records. */
export function formatCalibration(result: CalibrationResult): string {
  const p = result.profile;
  const lines = [
    formatTable([
      ['step', 'offered/s', 'achieved/s', 'p50 ms', 'p90 ms', 'p99 ms', 'errors', 'server CPU', 'CPU ms/req', 'RSS', 'within SLO'],
      ...result.steps.map((s) => [
        `${s.index + 1} ${s.phase}`, String(s.offeredRps), s.achievedRps.toFixed(1), s.p50Ms.toFixed(2), s.p90Ms.toFixed(2), s.p99Ms.toFixed(2),
        `${(s.errorRate * 100).toFixed(2)}%`, `${(s.cpuUtilization * 100).toFixed(0)}%`, ((s.cpuSecondsPerRequest ?? 0) * 1000).toFixed(3), mib(s.rssBytes), s.withinSlo ? 'yes' : 'no',
      ]),
    ]),
    '',
    `objective         p99 <= ${p.slo.p99Ms} ms, errors <= ${(p.slo.maxErrorRate * 100).toFixed(2)}% (payload ${p.payload})`,
    `stopped           ${result.stoppedBecause}`,
    `max sustainable   ${p.maxSustainableRps} requests/s`,
    `CPU per request   ${(p.cpuSecondsPerRequest * 1000).toFixed(3)} ms (server CPU seconds, from /metrics)`,
    `memory            idle ${mib(p.memory.rssBytesIdle)}, peak ${mib(p.memory.rssBytesPeak)}`,
  ];
  for (const warning of result.warnings) lines.push(`warning: ${warning}`);
  return lines.join('\n');
}
