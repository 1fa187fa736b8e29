/**
 * The peers' results as one table: plain text for the terminal, Markdown for the README, with the ratio of
 * ours to each peer (ours serving the same model over the same protocol where we speak it), taken on
 * throughput per CPU-second of the server, which holds on a shared machine where wall-clock rates do not.
 */
import { formatTable } from '../../src/reporting/text-table.js';
import type { AnswerCheck } from './answer-check.js';
import type { ScenarioResult, Scenario } from './peer-scenarios.js';

export interface PeerResult {
  id: string;
  label: string;
  versions: string;
  modelNote?: string;
  configuration: string;
  comparedWith: string;
  environment?: { name: string; installSeconds?: number; sizeMegabytes: number };
  startupSeconds?: number;
  rssIdleBytes?: number;
  rssLoadBytes?: number;
  check?: AnswerCheck;
  scenarios: Partial<Record<Scenario['id'], ScenarioResult>>;
  /** Why this peer has no figures (did not install, start or agree). */
  error?: string;
}

const thousands = (v: number) => Math.round(v).toLocaleString('en-US');
const megabytes = (bytes: number | undefined) => (bytes === undefined ? '-' : (bytes / 2 ** 20).toFixed(0));
const milliseconds = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

function rate(result: ScenarioResult | undefined, rows: boolean): string {
  if (result === undefined) return '-';
  const text = thousands(rows ? result.rowsPerSecond : result.achievedRps);
  return result.errors > 0 ? `${text} (${result.errors} errors)` : text;
}

/** Marks a latency the load generator's own lateness is in (over 1% of requests sent more than 10 ms late). */
export const generatorLateMark = '†';

/** p50 / p99; a paced run the server did not keep up with is marked with the rate it managed. */
function latency(result: ScenarioResult | undefined): string {
  if (result === undefined) return '-';
  const text = `${milliseconds(result.p50Ms)} / ${milliseconds(result.p99Ms)}${result.generatorKeptUp ? '' : ` ${generatorLateMark}`}`;
  return result.sustained ? text : `${text} (behind: ${thousands(result.achievedRps)}/s${result.errors > 0 ? `, ${result.errors} errors` : ''})`;
}

function ratio(ours: number | undefined, theirs: number | undefined): string {
  if (ours === undefined || theirs === undefined || !(theirs > 0)) return '-';
  return `${(ours / theirs).toFixed(ours / theirs >= 10 ? 0 : 1)}x`;
}

/** Requests (or rows) per second of server CPU: what one whole core would serve. On a shared machine the
 * server does not get its whole core, so this is the steadier measure of throughput per core. */
export function perCpuSecond(result: ScenarioResult | undefined): number | undefined {
  if (result === undefined || !(result.serverCpuMicrosPerRequest > 0)) return undefined;
  return (1e6 / result.serverCpuMicrosPerRequest) * (result.rowsPerSecond / Math.max(1e-9, result.achievedRps));
}

const count = (v: number | undefined) => (v === undefined ? '-' : thousands(v));

export const tableHeader = [
  'server', 'versions', 'single req/s', 'single req/CPU-s', 'ours / it (single)', 'p50 / p99 ms @100/s', 'p50 / p99 ms @1,000/s',
  '100-row rows/s', '1,000-row rows/s', '1,000-row rows/CPU-s', 'ours / it (1,000-row)', 'start-up s', 'RSS idle / load MB',
];

export function tableRows(results: readonly PeerResult[]): string[][] {
  const byId = new Map(results.map((r) => [r.id, r]));
  return results.map((r) => {
    if (r.error !== undefined) return [r.label, r.versions, `failed: ${r.error.split('\n')[0]!.slice(0, 80)}`, ...tableHeader.slice(3).map(() => '')];
    const s = r.scenarios;
    const ours = byId.get(r.comparedWith)?.scenarios;
    const self = r.comparedWith === r.id;
    return [
      r.label + (r.modelNote === undefined ? '' : ' *') + (r.check?.agrees === false ? ` (WRONG on ${r.check.disagreements} of ${2 * r.check.rows} check answers)` : ''),
      r.versions,
      rate(s['single-saturation'], false),
      count(perCpuSecond(s['single-saturation'])),
      self ? '' : ratio(perCpuSecond(ours?.['single-saturation']), perCpuSecond(s['single-saturation'])),
      latency(s['single-100']),
      latency(s['single-1000']),
      rate(s['batch-100'], true),
      rate(s['batch-1000'], true),
      count(perCpuSecond(s['batch-1000'])),
      self ? '' : ratio(perCpuSecond(ours?.['batch-1000']), perCpuSecond(s['batch-1000'])),
      r.startupSeconds === undefined ? '-' : r.startupSeconds.toFixed(2),
      `${megabytes(r.rssIdleBytes)} / ${megabytes(r.rssLoadBytes)}`,
    ];
  });
}

export function textTable(results: readonly PeerResult[]): string {
  return formatTable([tableHeader, ...tableRows(results)]);
}

export function markdownTable(results: readonly PeerResult[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(tableHeader), line(tableHeader.map(() => '---')), ...tableRows(results).map(line)].join('\n');
}

/** What each row is compared with and how each server was configured, under the table. */
export function tableNotes(results: readonly PeerResult[]): string[] {
  const labels = new Map(results.map((r) => [r.id, r.label]));
  const notes = results.map((r) => {
    const against = r.comparedWith === r.id ? '' : `; "ours" = ${labels.get(r.comparedWith) ?? r.comparedWith}`;
    const model = r.modelNote === undefined ? '' : `; * model: ${r.modelNote}`;
    const check = r.check === undefined ? '' : `; answers ${r.check.agrees ? 'agree' : `DISAGREE (${r.check.disagreements} of ${2 * r.check.rows})`} with the model library on ${r.check.rows} rows, one per request and in one batch (max |diff| ${r.check.maxAbsoluteDifference.toExponential(1)})`;
    return `${r.label}: ${r.configuration}${model}${against}${check}`;
  });
  const late = results.some((r) => Object.values(r.scenarios).some((s) => s !== undefined && (s.scenario === 'single-100' || s.scenario === 'single-1000') && !s.generatorKeptUp));
  return late ? [...notes, `${generatorLateMark} the load generator sent over 1% of that run's requests more than 10 ms late (its core was busy): the latency includes that lag`] : notes;
}
