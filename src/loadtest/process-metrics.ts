import { ChurnError } from '../errors.js';
import { fetchText, type TargetUrl } from './target-endpoints.js';

/** The server process's own CPU and memory counters, as prom-client's default metrics expose them. */
export interface ProcessMetrics {
  cpuSeconds: number;
  rssBytes: number;
}

/** The value of an unlabelled sample `name value` in Prometheus text format, or undefined. */
export function prometheusValue(text: string, name: string): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    // `name value [timestamp]` or `name{} value`; a longer name sharing the prefix does not match.
    const match = /^(?:\{\})?\s+(\S+)/.exec(rest);
    if (match) return Number(match[1]);
  }
  return undefined;
}

/** Scrapes GET /metrics; a target without the two process metrics cannot be calibrated. */
export async function scrapeProcessMetrics(target: TargetUrl): Promise<ProcessMetrics> {
  const text = await fetchText(target, '/metrics');
  if (text === undefined) throw new ChurnError('TARGET_UNAVAILABLE', `${target.url}/metrics did not answer 200; calibration reads the server's CPU and memory there`);
  const cpuSeconds = prometheusValue(text, 'process_cpu_seconds_total');
  const rssBytes = prometheusValue(text, 'process_resident_memory_bytes');
  if (cpuSeconds === undefined || rssBytes === undefined || !Number.isFinite(cpuSeconds) || !Number.isFinite(rssBytes)) {
    throw new ChurnError('TARGET_UNAVAILABLE', `${target.url}/metrics lacks process_cpu_seconds_total or process_resident_memory_bytes (prom-client default metrics)`);
  }
  return { cpuSeconds, rssBytes };
}
