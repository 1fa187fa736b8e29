/**
 * The peers' results as one table: plain text for the terminal, Markdown for the README, with the ratio of
 * ours to each peer (ours serving the same model over the same protocol where we speak it).
 */
import { formatTable } from '../../src/cli/table.js';
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

/** p50 / p99; a paced run the server did not keep up with is marked with the rate it managed. */
function latency(result: ScenarioResult | undefined): string {
  if (result === undefined) return '-';
  const text = `${milliseconds(result.p50Ms)} / ${milliseconds(result.p99Ms)}`;
  return result.sustained ? text : `${text} (behind: ${thousands(result.achievedRps)}/s${result.errors > 0 ? `, ${result.errors} errors` : ''})`;
}

function ratio(ours: number | undefined, theirs: number | undefined): string {
  if (ours === undefined || theirs === undefined || !(theirs > 0)) return '-';
  return `${(ours / theirs).toFixed(ours / theirs >= 10 ? 0 : 1)}x`;
}

export const tableHeader = [
  'server', 'versions', 'single req/s', 'ours / it', 'p50 / p99 ms @100/s', 'p50 / p99 ms @1,000/s',
  '100-row rows/s', '1,000-row rows/s', 'ours / it (1,000-row)', 'CPU us/req (single)', 'start-up s', 'RSS idle / load MB',
];

export function tableRows(results: readonly PeerResult[]): string[][] {
  const byId = new Map(results.map((r) => [r.id, r]));
  return results.map((r) => {
    if (r.error !== undefined) return [r.label, r.versions, `failed: ${r.error.split('\n')[0]!.slice(0, 80)}`, ...tableHeader.slice(3).map(() => '')];
    const s = r.scenarios;
    const ours = byId.get(r.comparedWith);
    const self = r.comparedWith === r.id;
    return [
      r.label + (r.modelNote === undefined ? '' : ' *') + (r.check?.agrees === false ? ` (WRONG on ${r.check.disagreements} of ${2 * r.check.rows} check answers)` : ''),
      r.versions,
      rate(s['single-saturation'], false),
      self ? '' : ratio(ours?.scenarios['single-saturation']?.achievedRps, s['single-saturation']?.achievedRps),
      latency(s['single-100']),
      latency(s['single-1000']),
      rate(s['batch-100'], true),
      rate(s['batch-1000'], true),
      self ? '' : ratio(ours?.scenarios['batch-1000']?.rowsPerSecond, s['batch-1000']?.rowsPerSecond),
      s['single-saturation'] === undefined ? '-' : s['single-saturation'].serverCpuMicrosPerRequest.toFixed(0),
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
  return results.map((r) => {
    const against = r.comparedWith === r.id ? '' : `; "ours" = ${labels.get(r.comparedWith) ?? r.comparedWith}`;
    const model = r.modelNote === undefined ? '' : `; * model: ${r.modelNote}`;
    const check = r.check === undefined ? '' : `; answers ${r.check.agrees ? 'agree' : `DISAGREE (${r.check.disagreements} of ${2 * r.check.rows})`} with the model library on ${r.check.rows} rows, one per request and in one batch (max |diff| ${r.check.maxAbsoluteDifference.toExponential(1)})`;
    return `${r.label}: ${r.configuration}${model}${against}${check}`;
  });
}
